// Stream-declaration column types of a data collection rule and the check of
// a JSON value against them (REFERENCE.md §9.1: string, int, long, real,
// boolean, dynamic, datetime).
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>

namespace wsemu {

/// Guid is a table column type only (the Data Collector API's _g columns, the Tables API's
/// "guid"); stream declarations read "guid" as String.
enum class ColumnType { String, Int, Long, Real, Boolean, Datetime, Dynamic, Guid };

/// Parses a type name, case-insensitively ("dateTime" as the Tables API
/// writes it is accepted; "guid" is stored as string, as Azure Monitor does).
std::optional<ColumnType> parse_column_type(std::string_view name);
std::string_view to_string(ColumnType type);
/// A table column type as the Tables API and the store name it: as parse_column_type, but
/// "guid" is Guid.
std::optional<ColumnType> parse_table_column_type(std::string_view name);

/// Why a table column name is refused (REFERENCE §9.3: a letter first, then up to 45 letters,
/// digits and '_'; not _ResourceId, id, _SubscriptionId, TenantId, Type, UniqueId or Title,
/// compared exactly);
/// empty when it is fine.
std::string table_column_name_problem(std::string_view name);

/// Whether `value` is acceptable for a column of `type` (null always is).
/// On refusal `reason` says what was expected.
bool value_matches(ColumnType type, const rapidjson::Value& value, std::string* reason);

/// An ISO 8601 date-time, as datetime columns accept it.
bool is_iso8601_datetime(std::string_view text);

/// A GUID in 8-4-4-4-12 hexadecimal form (optionally in braces).
bool is_guid(std::string_view text);

}  // namespace wsemu
