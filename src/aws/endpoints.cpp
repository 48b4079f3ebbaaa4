#include "aws/endpoints.h"

#include <cctype>
#include <cstdlib>

namespace gd2s::aws {
namespace {

std::string env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  return value != nullptr ? value : "";
}

std::string trim_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

std::string resolve_endpoint(std::string_view service, std::string_view region,
                             const EndpointOverrides& overrides) {
  const std::string* configured = service == "s3"          ? &overrides.s3
                                  : service == "sqs"       ? &overrides.sqs
                                  : service == "sts"       ? &overrides.sts
                                  : service == "guardduty" ? &overrides.guardduty
                                                           : nullptr;
  if (configured != nullptr && !configured->empty()) return trim_slash(*configured);
  std::string upper;
  for (char c : service) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (std::string specific = env("AWS_ENDPOINT_URL_" + upper); !specific.empty())
    return trim_slash(specific);
  if (std::string general = env("AWS_ENDPOINT_URL"); !general.empty()) return trim_slash(general);
  std::string suffix = region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return "https://" + std::string(service) + "." + std::string(region) + "." + suffix;
}

std::string host_header(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?", start);
  std::string host(
      url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
  // Default ports are left out of Host, as HTTP clients send it.
  if (url.starts_with("https://") && host.ends_with(":443")) host.resize(host.size() - 4);
  if (url.starts_with("http://") && host.ends_with(":80")) host.resize(host.size() - 3);
  return host;
}

std::string url_path(std::string_view url) {
  size_t start = url.find("://");
  start = start == std::string_view::npos ? 0 : start + 3;
  size_t slash = url.find('/', start);
  if (slash == std::string_view::npos) return "/";
  size_t query = url.find('?', slash);
  return std::string(
      url.substr(slash, query == std::string_view::npos ? std::string_view::npos : query - slash));
}

}  // namespace gd2s::aws
