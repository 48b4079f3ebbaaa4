#include "transform/native_schema.h"

#include <simdjson.h>

#include <array>
#include <string_view>

#include "core/json_writer.h"
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

void optional_string(JsonWriter& w, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  write_key(w, key);
  write_string(w, value);
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
  StringSink sink(out);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "TimeGenerated");
  write_string(w, format_iso8601(f.updated_at));
  write_key(w, "TimeCreated");
  write_string(w, format_iso8601(f.created_at));
  write_key(w, "AccountId");
  write_string(w, f.account_id);
  write_key(w, "ActivityType");
  write_string(w, f.type);
  write_key(w, "Arn");
  write_string(w, f.arn);
  optional_string(w, "Description", f.description);
  write_key(w, "Id");
  write_string(w, f.id);
  optional_string(w, "Partition", f.partition);
  write_key(w, "Region");
  write_string(w, f.region);
  write_key(w, "ResourceDetails");
  write_raw(w, sink, minified(f.resource), rapidjson::kObjectType);
  write_key(w, "SchemaVersion");
  write_string(w, f.schema_version);
  if (f.service) {
    write_key(w, "ServiceDetails");
    write_raw(w, sink, minified(*f.service), rapidjson::kObjectType);
  }
  write_key(w, "Severity");
  w.Int(severity_as_int(f.severity));
  optional_string(w, "Title", f.title);
  w.EndObject();
}

}  // namespace gd2s
