#pragma once
// A table schema: its columns (the single source of truth from which `gd2sentinel schema` and
// the Azure templates are generated) and how a finding becomes one row of it.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "transform/enrich.h"

namespace gd2s {

/// Column types as Azure Monitor names them in DCR stream declarations and tables.
enum class ColumnType { kString, kInt, kLong, kReal, kBoolean, kDateTime, kDynamic };

std::string_view column_type_name(ColumnType type);

struct Column {
  std::string_view name;
  ColumnType type;
  std::string_view description;
};

class Schema {
 public:
  virtual ~Schema() = default;
  /// "native" or "legacy".
  virtual std::string_view name() const = 0;
  /// The Log Analytics table the rows are for.
  virtual std::string_view table() const = 0;
  /// The DCR input stream the generated templates declare for these rows.
  virtual std::string_view input_stream() const = 0;
  virtual std::span<const Column> columns() const = 0;
  /// Appends one row (a JSON object whose keys are column names) to `out`.
  virtual void write_row(const Finding& finding, const Enrichment& enrichment,
                         std::string& out) const = 0;
};

using SchemaPtr = std::unique_ptr<Schema>;

/// The stream a DCR sends the rows to: Microsoft-<table> for a built-in table,
/// Custom-<table> for a custom (_CL) one.
std::string output_stream(const Schema& schema);

/// The schemas gd2sentinel writes: `native` (GuardDutyFindings_CL) and `legacy`
/// (AWSGuardDuty_CL, the Data Collector API's column names).
enum class SchemaKind { kNative, kLegacy };
[[nodiscard]] std::string_view schema_name(SchemaKind kind);
[[nodiscard]] std::optional<SchemaKind> parse_schema_kind(std::string_view name);

[[nodiscard]] SchemaPtr make_schema(SchemaKind kind);
/// The schema of that name, or nullptr.
[[nodiscard]] SchemaPtr make_schema(std::string_view name);
/// Names accepted by make_schema.
std::vector<std::string_view> schema_names();

/// The columns as JSON: {"name":…,"table":…,"columns":[{"name":…,"type":…,"description":…}]}.
std::string schema_to_json(const Schema& schema);

}  // namespace gd2s
