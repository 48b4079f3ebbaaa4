#include "transform/config.h"

#include <string>

namespace gd2s {
namespace {

constexpr OptionDoc kOptions[] = {
    {"schema", R"(`"native"` or `"legacy"`)", R"(`"native"`)"},
    {"min_severity", "number, 0–10", "`0.0`"},
    {"include_types", "list of globs", R"(`["*"]`)"},
    {"exclude_types", "list of globs", "`[]`"},
    {"drop_sample", "boolean", "`true`"},
    {"drop_archived", "boolean", "`true`"},
    {"dedupe_window", "duration", R"(`"7d"`)"},
};

}  // namespace

std::span<const OptionDoc> transform_options() {
  return kOptions;
}

void read_transform_config(TableReader& r, TransformConfig& t) {
  auto names = schema_names();
  std::string schema(schema_name(t.schema));
  r.read_choice("schema", schema, names);
  t.schema = parse_schema_kind(schema).value_or(SchemaKind::kNative);
  r.read("min_severity", t.filter.min_severity);
  if (t.filter.min_severity < 0 || t.filter.min_severity > 10)
    r.issue("min_severity", "must be between 0 and 10 (GuardDuty severities run from 1.0 to 10.0)");
  r.read("include_types", t.filter.include_types);
  r.read("exclude_types", t.filter.exclude_types);
  r.read("drop_sample", t.filter.drop_sample);
  r.read("drop_archived", t.filter.drop_archived);
  r.read("dedupe_window", t.dedupe_window);
}

}  // namespace gd2s
