#pragma once
// The one path every AWS call takes (S3, SQS, GuardDuty, STS): a request signed afresh for each
// attempt, sent with retries, transport failures named after the call, refusals as one error
// type, and every message that leaves it redacted (core/redaction.h), whatever the service echoed
// back.

#include <functional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/endpoints.h"
#include "aws/sigv4.h"
#include "core/duration.h"
#include "http/http_client.h"
#include "http/retry.h"

namespace gd2s::aws {

enum class AwsService { kS3, kSqs, kGuardDuty, kSts };

/// "s3", "sqs", "guardduty", "sts": the SigV4 service name.
std::string_view service_name(AwsService service);

/// An AWS service's refusal: which service, the HTTP status, the service's error code, and a
/// message for people that names the call and the fix. The message is redacted when the error is
/// made.
class ServiceError : public std::runtime_error {
 public:
  ServiceError(AwsService service, long status, std::string code, std::string_view message,
               std::string service_message = {});
  AwsService service() const { return service_; }
  long status() const { return status_; }
  const std::string& code() const { return code_; }
  /// The service's own words, as it sent them: for decisions (which detector a GuardDuty error
  /// names), never for people (use what()).
  const std::string& service_message() const { return service_message_; }

 private:
  AwsService service_;
  long status_;
  std::string code_;
  std::string service_message_;
};

/// One request to an AWS service before it is signed.
struct ServiceRequest {
  std::string method = "POST";
  std::string url;              // scheme://host[:port]/path, the path as on the wire
  std::string query;            // as on the wire, without '?'
  std::vector<Header> headers;  // besides Host, which comes from the URL
  std::string body;
  Duration timeout{0};  // 0: the HTTP client's
};

/// The request signed now with `credentials` (SigV4 in headers, the payload hash of the body).
http::Request sign_request(const ServiceRequest& request, const AwsCredentials& credentials,
                           const SigningScope& scope);

/// The same request unsigned (Host added): for the one call whose proof is in its body,
/// STS AssumeRoleWithWebIdentity.
http::Request unsigned_request(const ServiceRequest& request);

/// Sends the request `sign` makes (called again for every attempt, so each is freshly signed)
/// with retries on connection errors, 5xx, 429 and what `retryable` also counts as throttling.
/// Returns the last answer, whatever its status. A transport failure is rethrown as an
/// http::HttpError whose message starts with `call` ("ReceiveMessage on https://…"), redacted.
http::Response send_signed(http::HttpClient& http, const std::function<http::Request()>& sign,
                           const http::Backoff& backoff, std::stop_token stop,
                           std::string_view call,
                           const std::function<bool(const http::Response&)>& retryable = nullptr);

/// What every AWS client holds — the HTTP client, the credentials, where its service is and how
/// to retry — and the one way a call goes out through them.
class ServiceChannel {
 public:
  ServiceChannel(AwsService service, http::HttpClientPtr http, CredentialProviderPtr credentials,
                 std::string region, const EndpointOverrides& endpoints, http::Backoff backoff);

  AwsService service() const { return service_; }
  const std::string& region() const { return region_; }
  /// The service's base URL in the Region (resolve_endpoint), no trailing slash.
  const std::string& endpoint() const { return endpoint_; }
  const http::Backoff& backoff() const { return backoff_; }
  http::HttpClient& http() { return *http_; }

  /// `request` signed now with the current credentials.
  http::Request sign(const ServiceRequest& request) const;

  /// Signs `request` afresh for every attempt and sends it with retries (send_signed); returns
  /// the last answer, whatever its status.
  http::Response send(const ServiceRequest& request, std::stop_token stop, std::string_view call,
                      const std::function<bool(const http::Response&)>& retryable = nullptr);

 private:
  AwsService service_;
  http::HttpClientPtr http_;
  CredentialProviderPtr credentials_;
  std::string region_;
  std::string endpoint_;
  http::Backoff backoff_;
};

}  // namespace gd2s::aws
