#include "ingestion_rows.h"

#include <rapidjson/error/en.h>

#include "flatten.h"
#include "json_util.h"
#include "time_util.h"

namespace wsemu {
namespace {

constexpr std::size_t kMaxFieldBytes = 64 * 1024;  // "Fields longer than 64 KB are truncated."

IngestOutcome refuse(std::string message) {
  IngestOutcome outcome;
  outcome.status = 400;
  outcome.code = "InvalidContent";
  outcome.message = std::move(message);
  return outcome;
}

const char* kind_of(const rapidjson::Value& v) {
  if (v.IsObject()) return "an object";
  if (v.IsArray()) return "an array";
  if (v.IsString()) return "a string";
  if (v.IsNumber()) return "a number";
  if (v.IsBool()) return "a boolean";
  return "null";
}

}  // namespace

Cell cell_of(ColumnType type, const rapidjson::Value& value) {
  if (value.IsNull()) return std::monostate{};
  switch (type) {
    case ColumnType::String:
    case ColumnType::Guid:
    case ColumnType::Datetime:
      return truncate_utf8(std::string(value.GetString(), value.GetStringLength()), kMaxFieldBytes);
    case ColumnType::Int:
    case ColumnType::Long:
      if (value.IsInt64()) return value.GetInt64();
      if (value.IsUint64()) return static_cast<std::int64_t>(value.GetUint64());
      return static_cast<std::int64_t>(value.GetDouble());
    case ColumnType::Real:
      return value.GetDouble();
    case ColumnType::Boolean:
      return value.GetBool();
    case ColumnType::Dynamic:
      return to_json(value);
  }
  return std::monostate{};
}

IngestOutcome rows_from_body(std::string& body, const StreamDeclaration& stream,
                             const LogsIngestionSettings& settings, std::int64_t now) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return refuse("The request body is empty.");
  rapidjson::Document doc;
  doc.ParseInsitu<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseFullPrecisionFlag>(
      body.data());
  if (doc.HasParseError()) {
    return refuse(std::string("The request body is not valid JSON: ") +
                  rapidjson::GetParseError_En(doc.GetParseError()) + " (at offset " +
                  std::to_string(doc.GetErrorOffset()) + ").");
  }
  IngestOutcome outcome;
  if (!doc.IsArray()) {
    if (settings.reject_non_array_body) {
      return refuse(std::string("The request body must be a JSON array of objects; it is ") +
                    kind_of(doc) + ".");
    }
    return outcome;  // accepted and dropped, as the service has been seen to do
  }
  const auto& columns = stream.columns;
  int time_generated = -1;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    outcome.columns.push_back(columns[i].name);
    if (columns[i].name == "TimeGenerated") time_generated = static_cast<int>(i);
  }
  const bool add_time_generated = time_generated < 0;
  if (add_time_generated) outcome.columns.push_back("TimeGenerated");
  const std::string received = format_iso8601(now);
  outcome.rows.reserve(doc.Size());
  std::size_t index = 0;
  for (const auto& record : doc.GetArray()) {
    if (!record.IsObject()) {
      return refuse("Record " + std::to_string(index) + " is " + kind_of(record) +
                    ", not a JSON object.");
    }
    std::vector<Cell> row(outcome.columns.size());
    std::size_t matched = 0;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      auto it =
          record.FindMember(rapidjson::StringRef(columns[c].name.data(), columns[c].name.size()));
      if (it == record.MemberEnd()) continue;
      ++matched;
      std::string reason;
      if (!value_matches(columns[c].type, it->value, &reason)) {
        if (settings.reject_type_mismatch) {
          return refuse("Record " + std::to_string(index) + ", column '" + columns[c].name + "' (" +
                        std::string(to_string(columns[c].type)) + "): " + reason + ".");
        }
        continue;  // stored as null
      }
      row[c] = cell_of(columns[c].type, it->value);
    }
    outcome.ignored_fields += record.MemberCount() - matched;
    Cell& time = row[add_time_generated ? outcome.columns.size() - 1
                                        : static_cast<std::size_t>(time_generated)];
    if (std::holds_alternative<std::monostate>(time)) {
      time = received;  // Azure Monitor adds TimeGenerated when the data lacks it
    } else if (settings.replace_out_of_range_time_generated &&
               std::holds_alternative<std::string>(time)) {
      const auto t = parse_iso8601(std::get<std::string>(time));
      if (!t || *t < now - 2 * 86400 || *t > now + 86400) time = received;
    }
    outcome.rows.push_back(std::move(row));
    ++index;
  }
  return outcome;
}

}  // namespace wsemu
