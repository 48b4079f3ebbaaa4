#pragma once
// The Azure Monitor Logs Ingestion API (REFERENCE.md §8): gzip JSON arrays of at most 1 MiB
// posted to a DCR's stream with an Entra ID bearer token.

#include <memory>
#include <string>

#include "azure/token_provider.h"
#include "sinks/http_batch_sink.h"

namespace gd2s {

struct LogsIngestionOptions {
  std::string endpoint;  // the DCR's logs ingestion endpoint or a DCE, without a trailing '/'
  std::string dcr_immutable_id;
  std::string stream;
  int gzip_level = 1;
};

class LogsIngestionProtocol final : public BatchProtocol {
 public:
  LogsIngestionProtocol(LogsIngestionOptions options, azure::TokenProviderPtr tokens);
  std::string_view name() const override { return "logs_ingestion"; }
  int gzip_level() const override { return options_.gzip_level; }
  http::Request request(const std::string& body, const std::string& client_request_id,
                        std::stop_token stop) override;
  Verdict judge(const http::Response& response) override;
  void renew_auth(const http::Request& refused) override;
  uint64_t credential_renewals() const override { return tokens_->renewals(); }

  const std::string& url() const { return url_; }

 private:
  LogsIngestionOptions options_;
  azure::TokenProviderPtr tokens_;
  std::string url_;
};

/// "InvalidContent: the record at index 3 …" from an Azure error body
/// ({"error":{"code","message"}}), or the start of the body when it is not one.
std::string azure_error_text(const http::Response& response);

}  // namespace gd2s
