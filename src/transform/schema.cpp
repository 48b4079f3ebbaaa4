#include "transform/schema.h"

#include "core/json_writer.h"
#include "transform/legacy_schema.h"
#include "transform/native_schema.h"

namespace gd2s {

std::string_view column_type_name(ColumnType type) {
  switch (type) {
    case ColumnType::kString:
      return "string";
    case ColumnType::kInt:
      return "int";
    case ColumnType::kLong:
      return "long";
    case ColumnType::kReal:
      return "real";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kDateTime:
      return "datetime";
    case ColumnType::kDynamic:
      return "dynamic";
  }
  return "string";
}

std::string output_stream(const Schema& schema) {
  std::string_view table = schema.table();
  return std::string(table.ends_with("_CL") ? "Custom-" : "Microsoft-") + std::string(table);
}

std::string_view schema_name(SchemaKind kind) {
  return kind == SchemaKind::kLegacy ? "legacy" : "native";
}

std::optional<SchemaKind> parse_schema_kind(std::string_view name) {
  if (name == "native") return SchemaKind::kNative;
  if (name == "legacy") return SchemaKind::kLegacy;
  return std::nullopt;
}

SchemaPtr make_schema(SchemaKind kind) {
  if (kind == SchemaKind::kLegacy) return std::make_unique<LegacySchema>();
  return std::make_unique<NativeSchema>();
}

SchemaPtr make_schema(std::string_view name) {
  std::optional<SchemaKind> kind = parse_schema_kind(name);
  return kind ? make_schema(*kind) : nullptr;
}

std::vector<std::string_view> schema_names() {
  return {"native", "legacy"};
}

std::string schema_to_json(const Schema& schema) {
  std::string out;
  StringSink sink(out);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "name");
  write_string(w, schema.name());
  write_key(w, "table");
  write_string(w, schema.table());
  write_key(w, "columns");
  w.StartArray();
  for (const Column& column : schema.columns()) {
    w.StartObject();
    write_key(w, "name");
    write_string(w, column.name);
    write_key(w, "type");
    write_string(w, column_type_name(column.type));
    write_key(w, "description");
    write_string(w, column.description);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

}  // namespace gd2s
