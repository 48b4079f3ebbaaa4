#pragma once
// The one path every AWS call takes (S3, SQS, GuardDuty): a signed request sent with retries,
// transport failures named after the call, and every message that leaves it redacted
// (core/redaction.h), whatever the service echoed back.

#include <functional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>

#include "http/http_client.h"
#include "http/retry.h"

namespace gd2s::aws {

/// An AWS service's refusal: the HTTP status, the service's error code, and a message for
/// people that names the call and the fix. The message is redacted when the error is made.
class ServiceError : public std::runtime_error {
 public:
  ServiceError(long status, std::string code, std::string_view message);
  long status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  long status_;
  std::string code_;
};

/// Sends the request `sign` makes (called again for every attempt, so each is freshly signed)
/// with retries on connection errors, 5xx, 429 and what `retryable` also counts as throttling.
/// Returns the last answer, whatever its status. A transport failure is rethrown as an
/// http::HttpError whose message starts with `call` ("ReceiveMessage on https://…"), redacted.
http::Response send_signed(http::HttpClient& http, const std::function<http::Request()>& sign,
                           const http::Backoff& backoff, std::stop_token stop,
                           std::string_view call,
                           const std::function<bool(const http::Response&)>& retryable = nullptr);

}  // namespace gd2s::aws
