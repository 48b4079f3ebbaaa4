#include "sinks/data_collector/sink.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "core/base64.h"
#include "core/json_writer.h"
#include "core/sha256.h"
#include "http/retry.h"
#include "sinks/logs_ingestion/protocol.h"

namespace gd2s {

namespace {
constexpr std::string_view kApiVersion = "2016-04-01";
constexpr std::string_view kSuffixes[] = {"_s", "_d", "_b", "_t", "_g"};

// Error codes of a 400 that only configuration fixes (REFERENCE §10.4); InvalidDataFormat is
// about the content and is bisected instead.
constexpr std::string_view kConfigErrors[] = {
    "InactiveCustomer",  "InvalidApiVersion",  "InvalidCustomerId", "InvalidLogType",
    "MissingApiVersion", "MissingContentType", "MissingLogType",    "UnsupportedContentType"};

// Each row as the Data Collector API takes it (the classic column names).
void convert_rows(std::vector<OutboundRow>& rows) {
  std::string converted;
  for (OutboundRow& row : rows) {
    converted.clear();
    data_collector_row(row.json, converted);
    row.json.swap(converted);
  }
}

}  // namespace

std::string shared_key_signature(std::string_view key, size_t content_length,
                                 std::string_view x_ms_date) {
  std::string to_sign = "POST\n" + std::to_string(content_length) +
                        "\napplication/json\nx-ms-date:" + std::string(x_ms_date) + "\n/api/logs";
  return base64_encode(hmac_sha256(key, to_sign));
}

void data_collector_row(std::string_view legacy_row, std::string& out) {
  simdjson::dom::parser parser;
  simdjson::dom::object row;
  if (parser.parse(legacy_row.data(), legacy_row.size()).get(row))
    throw std::invalid_argument("data_collector_row: the row is not a JSON object");
  StringSink sink(out);
  JsonWriter w(sink);
  w.StartObject();
  for (auto [key, value] : row) {
    // TimeGenerated comes from the time-generated-field header; Severity repeats severity_d
    // (and would clash with it: column names differ only in case).
    if (key == "TimeGenerated" || key == "Severity") continue;
    if (key == "AdditionalFields") {
      write_key(w, key);
      write_string(w, simdjson::minify(value));
      continue;
    }
    std::string_view name = key;
    for (std::string_view suffix : kSuffixes)
      if (name.size() > suffix.size() && name.ends_with(suffix)) {
        name.remove_suffix(suffix.size());
        break;
      }
    write_key(w, name);
    std::string raw = simdjson::minify(value);
    w.RawValue(raw.data(), raw.size(), rapidjson::kObjectType);
  }
  w.EndObject();
}

std::string data_collector_endpoint(std::string_view workspace_id, std::string_view cloud) {
  std::string_view suffix = cloud == "usgovernment" ? "us" : cloud == "china" ? "cn" : "com";
  return "https://" + std::string(workspace_id) + ".ods.opinsights.azure." + std::string(suffix);
}

DataCollectorProtocol::DataCollectorProtocol(DataCollectorOptions options)
    : options_(std::move(options)) {
  auto key = base64_decode(options_.shared_key.reveal());
  if (!key || key->empty())
    throw std::invalid_argument(
        "sink.data_collector.shared_key is not a base64 workspace key (the portal's primary or "
        "secondary key, under Agents)");
  key_ = Secret(std::move(*key));
  url_ = options_.endpoint + "/api/logs?api-version=" + std::string(kApiVersion);
}

http::Request DataCollectorProtocol::request(const std::string& body,
                                             const std::string& client_request_id,
                                             std::stop_token) {
  std::string date =
      format_rfc1123(std::chrono::time_point_cast<std::chrono::seconds>(options_.clock()));
  http::Request request;
  request.method = "POST";
  request.url = url_;
  request.headers = {{"Authorization", "SharedKey " + options_.workspace_id + ":" +
                                           shared_key_signature(key_.reveal(), body.size(), date)},
                     {"Content-Type", "application/json"},
                     {"Log-Type", options_.log_type},
                     {"x-ms-date", date},
                     {"time-generated-field", std::string(kTimeGeneratedField)},
                     {"x-ms-client-request-id", client_request_id}};
  if (!options_.azure_resource_id.empty())
    request.headers.emplace_back("x-ms-AzureResourceId", options_.azure_resource_id);
  return request;
}

Verdict DataCollectorProtocol::judge(const http::Response& response) {
  long status = response.status;
  // 200 is the API's only success: another 2xx is a proxy's or an impostor's.
  if (status == 200) return {Verdict::Kind::kAccepted, ""};
  std::string text = azure_error_text(response);
  if (status == 408 || http::is_retryable_status(status)) return {Verdict::Kind::kRetry, text};
  switch (status) {
    case 400:
      for (std::string_view code : kConfigErrors)
        if (text.starts_with(code))
          return {Verdict::Kind::kFatal, "data_collector: HTTP 400 " + text +
                                             ". Check [sink.data_collector] workspace_id and "
                                             "log_type."};
      return {Verdict::Kind::kBadRecords, "HTTP 400 " + text};
    case 403:
      return {Verdict::Kind::kFatal,
              "data_collector: HTTP 403 " + text + ". Check workspace_id (" +
                  options_.workspace_id +
                  ") and shared_key (the workspace's primary or secondary key), and that this "
                  "host's clock is right: x-ms-date may be at most 15 minutes off."};
    case 404:
      // We never post more than 30 MB, so a 404 means the URL is wrong.
      return {Verdict::Kind::kFatal, "data_collector: HTTP 404 from " + url_ +
                                         ": check [sink.data_collector] endpoint and "
                                         "workspace_id."};
    default:
      return {Verdict::Kind::kFatal,
              "data_collector: unexpected HTTP " + std::to_string(status) + " " + text + " from " +
                  url_ +
                  (status >= 200 && status < 300
                       ? " (the Data Collector API answers 200 on success; is a proxy in the way?)"
                       : "")};
  }
}

DataCollectorSink::DataCollectorSink(DataCollectorOptions options, http::HttpClientPtr http,
                                     HttpBatchSinkOptions batching)
    : inner_(std::make_unique<DataCollectorProtocol>(std::move(options)), std::move(http),
             batching) {}

void DataCollectorSink::send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) {
  convert_rows(rows);
  inner_.send(std::move(rows), receiver);
}

void DataCollectorSink::gather(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) {
  convert_rows(rows);
  inner_.gather(std::move(rows), receiver);
}

}  // namespace gd2s
