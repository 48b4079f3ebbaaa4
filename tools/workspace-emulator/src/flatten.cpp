#include "flatten.h"

#include <cctype>
#include <string_view>

#include "column_types.h"
#include "json_util.h"

namespace wsemu {
namespace {

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

void flatten_value(const std::string& path, const rapidjson::Value& value, bool top_level,
                   std::size_t max_value_bytes, std::vector<DcField>& out) {
  if (value.IsNull()) return;
  if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      const std::string key = sanitize_property_name(
          std::string(member.name.GetString(), member.name.GetStringLength()));
      flatten_value(path.empty() ? key : path + "_" + key, member.value, false, max_value_bytes,
                    out);
    }
    return;
  }
  DcField field;
  if (value.IsBool()) {
    field.type = DcType::Boolean;
    field.boolean = value.GetBool();
  } else if (value.IsNumber()) {
    field.type = DcType::Double;
    field.number = value.GetDouble();
    // A top-level number named "severity" (any case) lands in the column Severity (real), without
    // suffix, as "Computer" does. No public specification says so; the evidence is the classic
    // AWSGuardDuty_CL that Logstash's microsoft-logstash-output-azure-loganalytics filled with raw
    // GuardDuty findings (lower-case "severity": 8): mikoiv/AzureSentinel-AWSGuardDuty's README
    // queries it as `AWSGuardDuty_CL | where Severity > 2 | project TimeGenerated, Severity,
    // type_s, title_s, resource_resourceType_s, service_resourceRole_s` and its screenshot
    // (sentinel_query_example.png) shows a Severity column holding 5 and 8.
    if (top_level && iequals_ascii(path, "Severity")) {
      field.column = "Severity";
      out.push_back(std::move(field));
      return;
    }
  } else if (value.IsString()) {
    const std::string_view text(value.GetString(), value.GetStringLength());
    if (top_level && path == "Computer") {
      field.column = path;
      field.type = DcType::String;
      field.text = truncate_utf8(std::string(text), max_value_bytes);
      out.push_back(std::move(field));
      return;
    }
    field.type = is_guid(text)               ? DcType::Guid
                 : is_iso8601_datetime(text) ? DcType::Datetime
                                             : DcType::String;
    field.text = truncate_utf8(std::string(text), max_value_bytes);
  } else {  // array
    field.type = DcType::String;
    field.text = truncate_utf8(to_json(value), max_value_bytes);
  }
  field.column = path + "_" + suffix_letter(field.type);
  out.push_back(std::move(field));
}

}  // namespace

char suffix_letter(DcType type) {
  switch (type) {
    case DcType::String:
      return 's';
    case DcType::Double:
      return 'd';
    case DcType::Boolean:
      return 'b';
    case DcType::Datetime:
      return 't';
    case DcType::Guid:
      return 'g';
  }
  return 's';
}

std::vector<DcField> flatten_record(const rapidjson::Value& record, std::size_t max_value_bytes) {
  std::vector<DcField> out;
  if (!record.IsObject()) return out;
  for (const auto& member : record.GetObject()) {
    const std::string key =
        sanitize_property_name(std::string(member.name.GetString(), member.name.GetStringLength()));
    flatten_value(key, member.value, true, max_value_bytes, out);
  }
  return out;
}

std::string sanitize_property_name(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  return out;
}

std::string truncate_utf8(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text;
}

}  // namespace wsemu
