#include "sinks/logs_ingestion/protocol.h"

#include <simdjson.h>

#include "core/redaction.h"
#include "core/uri.h"
#include "http/retry.h"

namespace gd2s {

namespace {
constexpr std::string_view kApiVersion = "2023-01-01";
constexpr size_t kMaxErrorText = 2000;
}  // namespace

namespace {

// The service's own words: its error code and message, or the start of the body.
std::string error_words(const http::Response& response) {
  simdjson::dom::parser parser;
  simdjson::dom::element error;
  std::string_view code, message;
  if (!parser.parse(response.body).get(error)) {
    simdjson::dom::element inner;
    if (!error["error"].get(inner)) error = inner;  // {"error":{"code","message"}}
    bool has_code = !error["code"].get(code) || !error["Error"].get(code);
    bool has_message = !error["message"].get(message) || !error["Message"].get(message);
    if (has_code || has_message) {
      std::string text(code);
      if (has_message) text += (text.empty() ? "" : ": ") + std::string(message);
      return text.substr(0, kMaxErrorText);
    }
  }
  std::string code_header(response.header("x-ms-error-code"));
  std::string body = response.body.substr(0, kMaxErrorText);
  if (body.empty()) return code_header.empty() ? "(no body)" : code_header;
  return code_header.empty() ? body : code_header + ": " + body;
}

}  // namespace

std::string azure_error_text(const http::Response& response) {
  // Whatever the endpoint echoed (a proxy's copy of the request, the Authorization header)
  // goes no further than this: the text ends up in logs and dead letters.
  return redact(error_words(response));
}

LogsIngestionProtocol::LogsIngestionProtocol(LogsIngestionOptions options,
                                             azure::TokenProviderPtr tokens)
    : options_(std::move(options)), tokens_(std::move(tokens)) {
  url_ = options_.endpoint + "/dataCollectionRules/" +
         uri_encode(options_.dcr_immutable_id, false) + "/streams/" +
         uri_encode(options_.stream, false) + "?api-version=" + std::string(kApiVersion);
}

http::Request LogsIngestionProtocol::request(const std::string& /*body*/,
                                             const std::string& client_request_id,
                                             std::stop_token stop) {
  azure::AccessToken token = tokens_->token(stop);
  http::Request request;
  request.method = "POST";
  request.url = url_;
  request.headers = {{"Authorization", "Bearer " + token.value.reveal()},
                     {"Content-Type", "application/json"},
                     {"x-ms-client-request-id", client_request_id}};
  if (options_.gzip_level > 0) request.headers.emplace_back("Content-Encoding", "gzip");
  return request;
}

Verdict LogsIngestionProtocol::judge(const http::Response& response) {
  long status = response.status;
  // 204 is the API's only success (REFERENCE.md §8): another 2xx is a proxy's or an impostor's.
  if (status == 204) return {Verdict::Kind::kAccepted, ""};
  std::string text = azure_error_text(response);
  if (status == 408 || http::is_retryable_status(status)) return {Verdict::Kind::kRetry, text};
  std::string sentence = text;  // for messages that go on after it
  while (!sentence.empty() && (sentence.back() == '.' || sentence.back() == ' '))
    sentence.pop_back();
  switch (status) {
    case 400:
      return {Verdict::Kind::kBadRecords, "HTTP 400 " + text};
    case 401:
      return {Verdict::Kind::kRenewAuth,
              "HTTP 401 " + text + " (check that [azure] cloud and scope match the endpoint: " +
                  "the token's audience must be the ingestion service's)"};
    case 403:
      return {Verdict::Kind::kFatal,
              "logs_ingestion: HTTP 403 " + sentence + ". The identity (" + tokens_->describe() +
                  ") needs the Monitoring Metrics Publisher role on the data collection rule " +
                  options_.dcr_immutable_id +
                  "; a new role assignment can take up to 30 minutes to apply. Records are "
                  "kept: their units stay uncommitted and are sent on the next run."};
    case 404:
      return {Verdict::Kind::kFatal, "logs_ingestion: HTTP 404 " + sentence +
                                         ". Check [sink.logs_ingestion] endpoint, "
                                         "dcr_immutable_id (" +
                                         options_.dcr_immutable_id + ") and stream (" +
                                         options_.stream + ") against the DCR."};
    case 413:
      return {Verdict::Kind::kSplit, "HTTP 413 " + text};
    default:
      return {Verdict::Kind::kFatal,
              "logs_ingestion: unexpected HTTP " + std::to_string(status) + " " + text + " from " +
                  url_ +
                  (status >= 200 && status < 300
                       ? " (the Logs Ingestion API answers 204 on success; is a proxy in the way?)"
                       : "")};
  }
}

void LogsIngestionProtocol::renew_auth(const http::Request& refused) {
  std::string_view header = http::find_header(refused.headers, "Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.starts_with(kBearer)) header.remove_prefix(kBearer.size());
  tokens_->invalidate(azure::AccessToken{Secret(std::string(header)), {}});
}

}  // namespace gd2s
