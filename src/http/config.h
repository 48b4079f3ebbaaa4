#pragma once
// [http]: TLS, proxy and timeouts for every outgoing request.

#include <span>
#include <string>

#include "core/config_reader.h"
#include "core/duration.h"
#include "http/http_client.h"

namespace gd2s {

struct HttpConfig {
  std::string ca_file;
  bool verify_tls = true;
  std::string proxy;
  Duration connect_timeout = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(60);
  /// Lets an endpoint other than loopback be reached over http:// (credentials in clear).
  bool allow_insecure_http = false;
};

/// The keys of [http], as docs/configuration.md documents them.
std::span<const OptionDoc> http_config_options();
void read_http_config(TableReader& reader, HttpConfig& config);

/// As the HTTP client takes them.
http::HttpOptions http_options(const HttpConfig& config);

}  // namespace gd2s
