#include "transform/native_schema.h"

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json_text.h"
#include "core/time.h"
#include "transform/severity.h"

namespace gd2s {
namespace {

constexpr std::array kColumns = std::to_array<Column>({
    {"TimeGenerated", ColumnType::kDateTime, "The finding's updatedAt: when it was last updated"},
    {"TimeCreated", ColumnType::kDateTime, "The finding's createdAt"},
    {"AccountId", ColumnType::kString, "The AWS account in which the finding was generated"},
    {"ActivityType", ColumnType::kString,
     "The finding type, ThreatPurpose:ResourceTypeAffected/ThreatFamilyName..."},
    {"Arn", ColumnType::kString, "The finding's ARN"},
    {"Description", ColumnType::kString, "The finding's description"},
    {"Id", ColumnType::kString, "The finding id; updates of a finding keep it"},
    {"Partition", ColumnType::kString, "The AWS partition: aws, aws-cn, aws-us-gov"},
    {"Region", ColumnType::kString, "The AWS Region of the finding"},
    {"ResourceDetails", ColumnType::kDynamic, "The finding's resource object, camelCase keys kept"},
    {"SchemaVersion", ColumnType::kString, "The finding's schemaVersion"},
    {"ServiceDetails", ColumnType::kDynamic, "The finding's service object, camelCase keys kept"},
    {"Severity", ColumnType::kInt,
     "The severity truncated to an integer, which keeps each finding in its band"},
    {"Title", ColumnType::kString, "The finding's title"},
});

// `,"key":"value"`; the keys here are plain words, only the value needs escaping.
void member(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  append_json_string(out, value);
}

void optional_member(std::string& out, std::string_view key, std::string_view value) {
  if (!value.empty()) member(out, key, value);
}

// The object as minified JSON, as simdjson::minify() writes it, into a buffer each thread keeps
// rather than a new string per object (two objects per row, on every row).
std::string_view minified(simdjson::dom::object value) {
  thread_local simdjson::internal::string_builder<> builder;
  builder.clear();
  builder.append(value);
  return builder.str();
}

}  // namespace

std::span<const Column> NativeSchema::columns() const {
  return kColumns;
}

void NativeSchema::write_row(const Finding& f, const Enrichment& /*enrichment*/,
                             std::string& out) const {
  // Appended straight to the row (core/json_text.h): the bytes RapidJSON's writer wrote, without
  // its character-at-a-time stream or a string per timestamp.
  out += "{\"TimeGenerated\":\"";
  append_iso8601(out, f.updated_at);
  out += "\",\"TimeCreated\":\"";
  append_iso8601(out, f.created_at);
  out += '"';
  member(out, "AccountId", f.account_id);
  member(out, "ActivityType", f.type);
  member(out, "Arn", f.arn);
  optional_member(out, "Description", f.description);
  member(out, "Id", f.id);
  optional_member(out, "Partition", f.partition);
  member(out, "Region", f.region);
  out += ",\"ResourceDetails\":";
  out += minified(f.resource);
  member(out, "SchemaVersion", f.schema_version);
  if (f.service) {
    out += ",\"ServiceDetails\":";
    out += minified(*f.service);
  }
  out += ",\"Severity\":";
  append_json_number(out, int64_t{severity_as_int(f.severity)});
  optional_member(out, "Title", f.title);
  out += '}';
}

}  // namespace gd2s
