#pragma once
// Where each AWS service is reached: the config's [aws] *_endpoint keys, then
// AWS_ENDPOINT_URL_<SERVICE> and AWS_ENDPOINT_URL, then the public regional endpoint.

#include <string>
#include <string_view>

namespace gd2s::aws {

struct EndpointOverrides {
  std::string s3;
  std::string sqs;
  std::string sts;
  std::string guardduty;
};

/// The base URL (no trailing slash) for `service` ("s3", "sqs", "sts", "guardduty") in `region`.
std::string resolve_endpoint(std::string_view service, std::string_view region,
                             const EndpointOverrides& overrides);

/// "https://h:1/p" → "h:1": what goes in the Host header (and is signed).
std::string host_header(std::string_view url);
/// "https://h:1/p?q" → "/p" ("/" when empty).
std::string url_path(std::string_view url);

}  // namespace gd2s::aws
