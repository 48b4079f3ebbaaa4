// The Logs Ingestion API (REFERENCE.md §8): POST
// /dataCollectionRules/{dcrImmutableId}/streams/{stream}?api-version=2023-01-01
// with a bearer token for https://monitor.azure.com, a JSON array (gzip or
// not) of at most 1,048,576 bytes; 204 on success.
#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "body.h"
#include "handlers.h"
#include "http_util.h"
#include "ingestion_rows.h"
#include "time_util.h"

namespace wsemu {
namespace {

constexpr std::size_t kHardCap = 256 * 1024 * 1024;  // stop reading (or inflating) beyond this

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void too_large(httplib::Response& response, std::size_t limit, std::size_t provided, RequestRecord& record) {
  set_ingestion_error(response, 413, "ContentLengthLimitExceeded",
                      "Maximum allowed content length: " + std::to_string(limit) + " bytes (1 MB). Provided content length: " +
                          std::to_string(provided) + " bytes.",
                      record);
}

bool authorised(const DataCollectionRule& dcr, const TokenCheck& token, const Emulator& emulator) {
  if (dcr.tenant_id && *dcr.tenant_id != token.tenant_id) return false;
  // Monitoring Metrics Publisher granted through ARM (PUT …/roleAssignments/{guid}).
  if (emulator.role_assignments.publisher(dcr.resource_id, token)) return true;
  if (dcr.publishers.empty()) return !dcr.publishers_closed;
  return std::any_of(dcr.publishers.begin(), dcr.publishers.end(), [&](const std::string& p) {
    return p == token.app_id || p == token.object_id;
  });
}

std::string forbidden_message(const DataCollectionRule& dcr, const TokenCheck& token) {
  const std::string& arm_id = dcr.resource_id;
  return "The authentication token provided does not have access to ingest data for the data collection rule with "
         "immutable Id '" + dcr.immutable_id + "' PipelineAccessResult: AccessGranted: False, IsRbacPresent: False, "
         "IsDcrDceBindingValid: , DcrArmId: " + arm_id + ", Message: Required authorization action was not found for "
         "tenantId " + token.tenant_id + " objectId " + token.object_id + " on resourceId " + arm_id +
         " ConfigurationId: " + dcr.immutable_id + "..";
}

void upload(const httplib::Request& request, httplib::Response& response, const httplib::ContentReader& reader,
            Emulator& emulator) {
  RequestScope scope(emulator, Endpoint::LogsIngestion, request, response);
  auto& record = scope.record();
  const auto& settings = emulator.config.logs_ingestion;

  BodyCollector body(settings.max_body_bytes);
  // A gzip body inflates to several times its size; plain bodies to their length.
  body.expect(settings.max_body_bytes);
  const bool read = reader([&](const char* data, std::size_t size) {
    body.append(data, size);
    return body.total_size() <= kHardCap;
  });
  const std::string encoding = request.get_header_value("Content-Encoding");
  const auto wire_size = request.has_header("Content-Length")
                             ? static_cast<std::size_t>(std::strtoull(request.get_header_value("Content-Length").c_str(), nullptr, 10))
                             : body.total_size();
  record.request_bytes = wire_size;
  record.body_bytes = body.total_size();
  if (!read) {
    if (response.status == 413 || body.total_size() > kHardCap) return too_large(response, settings.max_body_bytes, std::max(wire_size, body.total_size()), record);
    return set_ingestion_error(response, 400, "InvalidContentEncoding",
                               "The request body could not be read: Content-Encoding is '" + encoding +
                                   "' but the body is not in that encoding.",
                               record);
  }
  if (apply_fault(emulator, Endpoint::LogsIngestion, request, response, record)) return;

  const std::string api_version = request.get_param_value("api-version");
  if (api_version.empty()) {
    return set_ingestion_error(response, 400, "MissingApiVersionParameter",
                               "The api-version query parameter (?api-version=) is required for all requests.", record);
  }
  if (std::find(settings.api_versions.begin(), settings.api_versions.end(), api_version) == settings.api_versions.end()) {
    return set_ingestion_error(response, 400, "InvalidApiVersionParameter",
                               "The api-version '" + api_version + "' is invalid. The supported versions are '" +
                                   [&] {
                                     std::string all;
                                     for (const auto& v : settings.api_versions) all += (all.empty() ? "" : ",") + v;
                                     return all;
                                   }() + "'.",
                               record);
  }
  const std::int64_t now = now_epoch_seconds();
  const TokenCheck token = emulator.signer.verify_bearer(request.get_header_value("Authorization"), settings.audiences, now);
  if (!token.ok) return set_ingestion_error(response, 401, token.code, token.message, record);

  const std::string dcr_id = request.matches[1].str();
  const std::string stream_name = request.matches[2].str();
  // A shared pointer: a rule replaced by an ARM PUT meanwhile stays valid for this request.
  const std::shared_ptr<const DataCollectionRule> dcr = emulator.rules.find(dcr_id);
  if (dcr == nullptr) {
    return set_ingestion_error(response, 404, "NotFound",
                               "Data collection rule with immutable Id '" + dcr_id + "' not found.", record);
  }
  if (!authorised(*dcr, token, emulator))
    return set_ingestion_error(response, 403, "OperationFailed", forbidden_message(*dcr, token),
                               record);
  auto stream = dcr->streams.find(stream_name);
  if (stream == dcr->streams.end()) {
    return set_ingestion_error(response, 404, "InvalidStream",
                               "Stream '" + stream_name + "' is not declared in the data collection rule with immutable Id '" +
                                   dcr_id + "'.",
                               record);
  }

  std::string payload = std::move(body.data());
  std::size_t inflated_size = body.total_size();
  if (!encoding.empty() && encoding != "gzip" && encoding != "identity") {
    if (!is_gzip_encoding(encoding)) {
      return set_ingestion_error(response, 415, "UnsupportedContentEncoding",
                                 "Content-Encoding '" + encoding + "' is not supported; send gzip or no encoding.", record);
    }
    // httplib inflates only the exact token "gzip"; other spellings arrive compressed.
    if (wire_size > settings.max_body_bytes) return too_large(response, settings.max_body_bytes, wire_size, record);
    Inflated inflated = gunzip(payload, settings.max_body_bytes, kHardCap);
    if (!inflated.ok) return set_ingestion_error(response, 400, "InvalidContentEncoding", inflated.error + ".", record);
    payload = std::move(inflated.data);
    inflated_size = inflated.total_size;
    record.body_bytes = inflated_size;
  }
  if (wire_size > settings.max_body_bytes) return too_large(response, settings.max_body_bytes, wire_size, record);
  if (inflated_size > settings.max_body_bytes) return too_large(response, settings.max_body_bytes, inflated_size, record);

  if (const std::int64_t wait = emulator.limiter.admit(dcr->immutable_id, dcr->rate_limits,
                                                       static_cast<std::int64_t>(inflated_size), now_ms());
      wait > 0) {
    set_endpoint_error(Endpoint::LogsIngestion, 429, response, record);
    response.set_header("Retry-After", std::to_string(wait));
    return;
  }

  IngestOutcome outcome = rows_from_body(payload, stream->second, settings, now);
  if (outcome.status != 204) return set_ingestion_error(response, outcome.status, outcome.code, outcome.message, record);
  std::vector<RowBatch> batches;
  for (const auto& flow : dcr->data_flows) {
    if (std::find(flow.streams.begin(), flow.streams.end(), stream_name) == flow.streams.end()) continue;
    record.table += (record.table.empty() ? "" : ",") + flow.table;
    batches.push_back({flow.table, outcome.columns, {}});
  }
  const auto row_count = static_cast<std::int64_t>(batches.empty() ? 0 : outcome.rows.size());
  for (std::size_t i = 0; i < batches.size(); ++i) {
    if (i + 1 == batches.size()) {
      batches[i].rows = std::move(outcome.rows);
    } else {
      batches[i].rows = outcome.rows;
    }
  }
  // Columns the output table lacks are dropped (a table created through the Tables API, or a
  // migrated classic one, need not have every column of the stream).
  emulator.store.insert_existing_columns(std::move(batches));
  record.rows = row_count;
  response.status = 204;
}

}  // namespace

void register_logs_ingestion(httplib::Server& server, Emulator& emulator) {
  // The request target in origin form, or in absolute form ("https://host/dataCollectionRules/…"),
  // which an HTTP/1.1 server must accept (RFC 9112 §3.2.2) and Fluent Bit's output sends.
  server.Post(R"((?:https://[^/]+)?/dataCollectionRules/([^/]+)/streams/([^/]+))",
              [&emulator](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader) {
                upload(req, res, reader, emulator);
              });
}

}  // namespace wsemu
