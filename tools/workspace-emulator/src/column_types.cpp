#include "column_types.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "time_util.h"

namespace wsemu {

std::optional<ColumnType> parse_column_type(std::string_view name) {
  std::string lower;
  for (const char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "string" || lower == "guid") return ColumnType::String;
  if (lower == "int") return ColumnType::Int;
  if (lower == "long") return ColumnType::Long;
  if (lower == "real") return ColumnType::Real;
  if (lower == "boolean" || lower == "bool") return ColumnType::Boolean;
  if (lower == "datetime") return ColumnType::Datetime;
  if (lower == "dynamic") return ColumnType::Dynamic;
  return std::nullopt;
}

std::optional<ColumnType> parse_table_column_type(std::string_view name) {
  std::string lower;
  for (const char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "guid") return ColumnType::Guid;
  return parse_column_type(name);
}

std::string_view to_string(ColumnType type) {
  switch (type) {
    case ColumnType::String:
      return "string";
    case ColumnType::Int:
      return "int";
    case ColumnType::Long:
      return "long";
    case ColumnType::Real:
      return "real";
    case ColumnType::Boolean:
      return "boolean";
    case ColumnType::Datetime:
      return "datetime";
    case ColumnType::Dynamic:
      return "dynamic";
    case ColumnType::Guid:
      return "guid";
  }
  return "string";
}

namespace {

bool integral_in_range(const rapidjson::Value& value, double low, double high) {
  if (value.IsInt64()) {
    const auto i = static_cast<double>(value.GetInt64());
    return i >= low && i <= high;
  }
  if (value.IsUint64()) return static_cast<double>(value.GetUint64()) <= high;
  if (value.IsDouble()) {
    const double d = value.GetDouble();
    return std::isfinite(d) && std::floor(d) == d && d >= low && d <= high;
  }
  return false;
}

const char* json_kind(const rapidjson::Value& value) {
  if (value.IsString()) return "a string";
  if (value.IsBool()) return "a boolean";
  if (value.IsNumber()) return "a number";
  if (value.IsArray()) return "an array";
  if (value.IsObject()) return "an object";
  return "null";
}

bool refuse(std::string* reason, std::string_view expected, const rapidjson::Value& value) {
  if (reason != nullptr) {
    *reason = std::string("expected ") + std::string(expected) + ", got " + json_kind(value);
  }
  return false;
}

}  // namespace

bool value_matches(ColumnType type, const rapidjson::Value& value, std::string* reason) {
  if (value.IsNull()) return true;
  switch (type) {
    case ColumnType::String:
    case ColumnType::Guid:
      return value.IsString() || refuse(reason, "a string", value);
    case ColumnType::Int:
      return integral_in_range(value, std::numeric_limits<std::int32_t>::min(),
                               std::numeric_limits<std::int32_t>::max()) ||
             refuse(reason, "an integer within 32 bits", value);
    case ColumnType::Long:
      return integral_in_range(value, -9223372036854775808.0, 9223372036854775807.0) ||
             refuse(reason, "an integer within 64 bits", value);
    case ColumnType::Real:
      return value.IsNumber() || refuse(reason, "a number", value);
    case ColumnType::Boolean:
      return value.IsBool() || refuse(reason, "true or false", value);
    case ColumnType::Datetime:
      if (value.IsString() &&
          is_iso8601_datetime(std::string_view(value.GetString(), value.GetStringLength()))) {
        return true;
      }
      return refuse(reason, "an ISO 8601 date-time string", value);
    case ColumnType::Dynamic:
      return true;
  }
  return false;
}

std::string table_column_name_problem(std::string_view name) {
  static constexpr std::string_view kReserved[] = {
      "_ResourceId", "id", "_SubscriptionId", "TenantId", "Type", "UniqueId", "Title"};
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name.front()))) {
    return "must start with a letter";
  }
  if (name.size() > 45) return "is longer than 45 characters";
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return "may hold only letters, digits and underscores";
    }
  }
  // Compared exactly, as KQL compares column names (the native AWSGuardDuty has a column "Id").
  for (const auto reserved : kReserved) {
    if (name == reserved) return "is a reserved column name";
  }
  return "";
}

bool is_iso8601_datetime(std::string_view text) {
  return parse_iso8601(text).has_value();
}

bool is_guid(std::string_view text) {
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') text = text.substr(1, 36);
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace wsemu
