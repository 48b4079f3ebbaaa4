// The legacy HTTP Data Collector API (REFERENCE.md §10): POST
// /api/logs?api-version=2016-04-01 signed with SharedKey, rows stored in
// <Log-Type>_CL with the suffix naming of §10.5. The table it creates is Classic;
// after Tables - Migrate it still ingests, into existing columns only.
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "body.h"
#include "column_types.h"
#include "flatten.h"
#include "handlers.h"
#include "http_util.h"
#include "json_util.h"
#include "shared_key.h"
#include "time_util.h"

namespace wsemu {
namespace {

constexpr std::size_t kHardCap = 256 * 1024 * 1024;

void collector_error(httplib::Response& response, int status, const std::string& code,
                     const std::string& message, RequestRecord& record) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_member(w, "Error", code);
  write_member(w, "Message", message);
  w.EndObject();
  set_json(response, status, std::string(buffer.GetString(), buffer.GetSize()));
  record.error_code = code;
}

bool valid_log_type(const std::string& log_type) {
  return !log_type.empty() && log_type.size() <= 100 &&
         std::all_of(log_type.begin(), log_type.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
         });
}

ColumnType column_type_of(DcType type) {
  switch (type) {
    case DcType::Double:
      return ColumnType::Real;
    case DcType::Boolean:
      return ColumnType::Boolean;
    case DcType::Datetime:
      return ColumnType::Datetime;
    case DcType::Guid:
      return ColumnType::Guid;
    default:
      return ColumnType::String;
  }
}

Cell cell_of(const DcField& field) {
  switch (field.type) {
    case DcType::Double:
      return field.number;
    case DcType::Boolean:
      return field.boolean;
    default:
      return field.text;
  }
}

/// The workspace the request is for: the one its host name starts with (as
/// <workspace id>.ods.opinsights.azure.com), else the one the signature names.
std::string target_workspace(const httplib::Request& request, const Config& config,
                             const std::string& signed_id) {
  const std::string host = request.get_header_value("Host");
  const std::string label = host.substr(0, host.find('.'));
  if (host.find('.') != std::string::npos && config.find_workspace(label) != nullptr) return label;
  return signed_id;
}

void post_logs(const httplib::Request& request, httplib::Response& response,
               const httplib::ContentReader& reader, Emulator& emulator) {
  RequestScope scope(emulator, Endpoint::DataCollector, request, response);
  auto& record = scope.record();
  const auto& settings = emulator.config.data_collector;
  BodyCollector body(settings.max_body_bytes);
  body.expect(static_cast<std::size_t>(
      std::strtoull(request.get_header_value("Content-Length").c_str(), nullptr, 10)));
  const bool read = reader([&](const char* data, std::size_t size) {
    body.append(data, size);
    return body.total_size() <= kHardCap;
  });
  const std::size_t wire_size =
      request.has_header("Content-Length")
          ? static_cast<std::size_t>(
                std::strtoull(request.get_header_value("Content-Length").c_str(), nullptr, 10))
          : body.total_size();
  record.request_bytes = wire_size;
  record.body_bytes = body.total_size();
  if (!read || wire_size > settings.max_body_bytes || body.over_limit()) {
    response.status = 404;  // "Either the URL provided is incorrect, or the request is too large."
    record.error_code = "RequestTooLarge";
    return;
  }
  if (apply_fault(emulator, Endpoint::DataCollector, request, response, record)) return;

  const std::string api_version = request.get_param_value("api-version");
  if (api_version.empty())
    return collector_error(response, 400, "MissingApiVersion", "The API version wasn't specified.",
                           record);
  if (api_version != "2016-04-01") {
    return collector_error(response, 400, "InvalidApiVersion",
                           "The API version that you specified was not recognized by the service.",
                           record);
  }
  const std::string content_type = request.get_header_value("Content-Type");
  if (content_type.empty())
    return collector_error(response, 400, "MissingContentType",
                           "The content type wasn't specified.", record);
  if (content_type != "application/json") {
    return collector_error(response, 400, "UnsupportedContentType",
                           "The content type was not set to application/json.", record);
  }
  const std::string log_type = request.get_header_value("Log-Type");
  if (log_type.empty())
    return collector_error(response, 400, "MissingLogType",
                           "The required value log type wasn't specified.", record);
  if (!valid_log_type(log_type)) {
    return collector_error(response, 400, "InvalidLogType",
                           "The log type specified contained special characters or numerics.",
                           record);
  }
  const auto authorization =
      parse_shared_key_authorization(request.get_header_value("Authorization"));
  if (!authorization) {
    return collector_error(response, 403, "InvalidAuthorization",
                           "An invalid scheme was specified in the Authorization header.", record);
  }
  if (!is_guid(authorization->workspace_id)) {
    return collector_error(response, 400, "InvalidCustomerId",
                           "The workspace ID specified is invalid.", record);
  }
  const std::string workspace_id =
      target_workspace(request, emulator.config, authorization->workspace_id);
  const Workspace* workspace = emulator.config.find_workspace(workspace_id);
  const std::string x_ms_date = request.get_header_value("x-ms-date");
  const auto date = parse_http_date(x_ms_date);
  if (!date) {
    return collector_error(response, 403, "InvalidAuthorization",
                           "An invalid date format used in the x-ms-date header.", record);
  }
  const std::int64_t now = now_epoch_seconds();
  if (std::llabs(now - *date) > settings.max_date_skew_seconds) {
    return collector_error(response, 403, "InvalidAuthorization",
                           "The x-ms-date header is more than " +
                               std::to_string(settings.max_date_skew_seconds) +
                               " seconds away from the service's time.",
                           record);
  }
  const std::string to_sign = data_collector_string_to_sign(wire_size, content_type, x_ms_date);
  const bool signed_ok =
      workspace != nullptr && workspace_id == authorization->workspace_id &&
      std::any_of(workspace->shared_keys.begin(), workspace->shared_keys.end(),
                  [&](const std::string& key) {
                    return verify_data_collector_signature(key, to_sign, authorization->signature);
                  });
  if (!signed_ok) {
    return collector_error(
        response, 403, "InvalidAuthorization",
        "The service failed to authenticate the request. Verify that the workspace ID and "
        "connection key are valid.",
        record);
  }

  rapidjson::Document doc;
  std::string& payload = body.data();
  doc.ParseInsitu<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseFullPrecisionFlag>(
      payload.data());
  if (doc.HasParseError() || !(doc.IsArray() || doc.IsObject())) {
    return collector_error(
        response, 400, "InvalidDataFormat",
        "Invalid JSON was submitted: the body must be a JSON object or an array of objects.",
        record);
  }
  const std::string time_field = request.get_header_value("time-generated-field");
  const std::string table = log_type + "_CL";
  const std::string received = format_iso8601(now);
  std::vector<RowBatch> batches;  // consecutive records with the same columns share one
  std::vector<StoredColumn> new_columns = {{"TimeGenerated", ColumnType::Datetime}};
  auto add_record = [&](const rapidjson::Value& item) {
    std::vector<DcField> fields = flatten_record(item, settings.max_value_bytes);
    std::string time = received;
    if (!time_field.empty()) {
      if (auto value = string_member(item, time_field.c_str()); value && parse_iso8601(*value))
        time = *value;
    }
    std::vector<std::string> columns = {"TimeGenerated"};
    std::vector<Cell> row = {time};
    for (auto& field : fields) {
      if (std::find(columns.begin(), columns.end(), field.column) != columns.end()) continue;
      new_columns.push_back({field.column, column_type_of(field.type)});
      columns.push_back(field.column);
      row.push_back(cell_of(field));
    }
    if (batches.empty() || batches.back().columns != columns)
      batches.push_back(RowBatch{table, columns, {}});
    batches.back().rows.push_back(std::move(row));
  };
  if (doc.IsObject()) {
    add_record(doc);
  } else {
    for (const auto& item : doc.GetArray()) {
      if (!item.IsObject()) {
        return collector_error(response, 400, "InvalidDataFormat",
                               "Invalid JSON was submitted: every record must be a JSON object.",
                               record);
      }
      add_record(item);
    }
  }
  for (const auto& batch : batches) record.rows += static_cast<std::int64_t>(batch.rows.size());
  // A new table is Classic; a migrated (DataCollectionRuleBased) one takes values only for the
  // columns it has (REFERENCE §9.3).
  emulator.store.insert_collected(table, new_columns, std::move(batches));
  record.table = table;
  response.status = 200;
}

}  // namespace

void register_data_collector(httplib::Server& server, Emulator& emulator) {
  server.Post("/api/logs", [&emulator](const httplib::Request& req, httplib::Response& res,
                                       const httplib::ContentReader& reader) {
    post_logs(req, res, reader, emulator);
  });
}

}  // namespace wsemu
