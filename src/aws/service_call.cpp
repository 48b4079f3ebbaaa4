#include "aws/service_call.h"

#include <chrono>

#include "aws/endpoints.h"
#include "core/redaction.h"

namespace gd2s::aws {

std::string_view service_name(AwsService service) {
  switch (service) {
    case AwsService::kS3:
      return "s3";
    case AwsService::kSqs:
      return "sqs";
    case AwsService::kGuardDuty:
      return "guardduty";
    case AwsService::kSts:
      return "sts";
  }
  return "";
}

ServiceError::ServiceError(AwsService service, long status, std::string code,
                           std::string_view message, std::string service_message)
    : std::runtime_error(redact(message)),
      service_(service),
      status_(status),
      code_(std::move(code)),
      service_message_(std::move(service_message)) {}

http::Request sign_request(const ServiceRequest& request, const AwsCredentials& credentials,
                           const SigningScope& scope) {
  SignableRequest signable{request.method,
                           url_path(request.url),
                           request.query,
                           {{"Host", host_header(request.url)}},
                           sha256_hex(request.body)};
  for (const Header& header : request.headers) signable.headers.push_back(header);
  sign_headers(
      signable, credentials, scope,
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  http::Request out;
  out.method = request.method;
  out.url = request.query.empty() ? request.url : request.url + "?" + request.query;
  out.headers = std::move(signable.headers);
  out.body = request.body;
  out.timeout = request.timeout;
  return out;
}

http::Request unsigned_request(const ServiceRequest& request) {
  http::Request out;
  out.method = request.method;
  out.url = request.query.empty() ? request.url : request.url + "?" + request.query;
  out.headers = {{"Host", host_header(request.url)}};
  out.headers.insert(out.headers.end(), request.headers.begin(), request.headers.end());
  out.body = request.body;
  out.timeout = request.timeout;
  return out;
}

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

ServiceChannel::ServiceChannel(AwsService service, http::HttpClientPtr http,
                               CredentialProviderPtr credentials, std::string region,
                               const EndpointOverrides& endpoints, http::Backoff backoff)
    : service_(service),
      http_(std::move(http)),
      credentials_(std::move(credentials)),
      region_(std::move(region)),
      endpoint_(resolve_endpoint(service_name(service), region_, endpoints)),
      backoff_(backoff) {}

http::Request ServiceChannel::sign(const ServiceRequest& request) const {
  return sign_request(request, credentials_->credentials(),
                      {region_, std::string(service_name(service_)), service_ == AwsService::kS3});
}

http::Response ServiceChannel::send(const ServiceRequest& request, std::stop_token stop,
                                    std::string_view call,
                                    const std::function<bool(const http::Response&)>& retryable) {
  return send_signed(
      *http_, [&] { return sign(request); }, backoff_, stop, call, retryable);
}

}  // namespace gd2s::aws
