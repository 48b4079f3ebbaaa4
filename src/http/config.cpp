#include "http/config.h"

namespace gd2s {
namespace {

constexpr OptionDoc kOptions[] = {
    {"ca_file", "string", R"(`""`)"},      {"verify_tls", "boolean", "`true`"},
    {"proxy", "string", R"(`""`)"},        {"connect_timeout", "duration", R"(`"10s"`)"},
    {"timeout", "duration", R"(`"60s"`)"}, {"allow_insecure_http", "boolean", "`false`"},
};

}  // namespace

std::span<const OptionDoc> http_config_options() {
  return kOptions;
}

void read_http_config(TableReader& r, HttpConfig& http) {
  r.read("ca_file", http.ca_file);
  r.read("verify_tls", http.verify_tls);
  r.read("proxy", http.proxy);
  r.read("connect_timeout", http.connect_timeout);
  r.read("timeout", http.timeout);
  r.read("allow_insecure_http", http.allow_insecure_http);
}

http::HttpOptions http_options(const HttpConfig& config) {
  http::HttpOptions options;
  options.ca_file = config.ca_file;
  options.verify_tls = config.verify_tls;
  options.proxy = config.proxy;
  options.connect_timeout = config.connect_timeout;
  options.timeout = config.timeout;
  return options;
}

}  // namespace gd2s
