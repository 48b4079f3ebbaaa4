#include "aws/service_call.h"

#include "core/redaction.h"

namespace gd2s::aws {

ServiceError::ServiceError(long status, std::string code, std::string_view message)
    : std::runtime_error(redact(message)), status_(status), code_(std::move(code)) {}

http::Response send_signed(http::HttpClient& http, const std::function<http::Request()>& sign,
                           const http::Backoff& backoff, std::stop_token stop,
                           std::string_view call,
                           const std::function<bool(const http::Response&)>& retryable) {
  try {
    return http::send_with_retries(http, sign, backoff, stop, retryable);
  } catch (const http::HttpError& error) {
    throw http::HttpError(error.kind(), redact(std::string(call) + ": " + error.what()));
  }
}

}  // namespace gd2s::aws
