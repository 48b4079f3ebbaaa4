#pragma once
// The legacy HTTP Data Collector API (REFERENCE.md §10), retired by Microsoft on 14 September
// 2026 and kept for workspaces still on the old setup: JSON arrays of up to 30 MB signed with the
// workspace's shared key (SharedKey). The service names the columns itself (type_s, title_s, …),
// so rows of the legacy schema are sent with their suffixes taken off and it puts them back.

#include <memory>
#include <string>

#include "core/secret.h"
#include "core/time.h"
#include "sinks/http_batch_sink.h"

namespace gd2s {

/// Base64(HMAC-SHA256(key, "POST\n<length>\napplication/json\nx-ms-date:<date>\n/api/logs")).
/// `key` is the decoded workspace key; `content_length` the body's UTF-8 byte length.
std::string shared_key_signature(std::string_view key, size_t content_length,
                                 std::string_view x_ms_date);

/// The legacy-schema row as the Data Collector API wants it: column suffixes (_s, _d, _b, _t,
/// _g) taken off, TimeGenerated left to the time-generated-field header, Severity left out
/// (severity_d holds it), AdditionalFields sent as JSON text. Appends to `out`.
void data_collector_row(std::string_view legacy_row, std::string& out);

/// The field the service takes TimeGenerated from (the finding's updatedAt).
inline constexpr std::string_view kTimeGeneratedField = "updatedAt";

struct DataCollectorOptions {
  std::string endpoint;  // https://<workspace>.ods.opinsights.azure.com, no trailing '/'
  std::string workspace_id;
  Secret shared_key;  // base64, as the portal shows it
  std::string log_type = "AWSGuardDuty";
  std::string azure_resource_id;
  /// For tests: the clock x-ms-date is read from.
  Timestamp (*clock)() = now_utc;
};

/// https://<workspace>.ods.opinsights.azure.<com|us|cn> for the [azure] cloud.
std::string data_collector_endpoint(std::string_view workspace_id, std::string_view cloud);

class DataCollectorProtocol final : public BatchProtocol {
 public:
  /// Throws std::invalid_argument when the shared key is not base64 (without quoting it).
  explicit DataCollectorProtocol(DataCollectorOptions options);
  std::string_view name() const override { return "data_collector"; }
  int gzip_level() const override { return 0; }
  http::Request request(const std::string& body, const std::string& client_request_id,
                        std::stop_token stop) override;
  Verdict judge(const http::Response& response) override;
  void renew_auth(const http::Request&) override {}

 private:
  DataCollectorOptions options_;
  Secret key_;  // decoded
  std::string url_;
};

/// The legacy rows rewritten for the service, then sent as HttpBatchSink sends them.
class DataCollectorSink final : public Sink {
 public:
  DataCollectorSink(DataCollectorOptions options, http::HttpClientPtr http,
                    HttpBatchSinkOptions batching);
  std::string_view name() const override { return "data_collector"; }
  void send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) override;
  void gather(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) override;
  void seal() override { inner_.seal(); }
  void flush() override { inner_.flush(); }
  void stop() override { inner_.stop(); }
  size_t preferred_batch_bytes() const override { return inner_.preferred_batch_bytes(); }
  const SinkCounters& counters() const { return inner_.counters(); }

 private:
  HttpBatchSink inner_;
};

}  // namespace gd2s
