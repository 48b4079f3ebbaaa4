#pragma once
// HttpClient over libcurl: connections, TLS sessions and DNS shared between requests,
// HTTP/2 where the server offers it, TLS verification on unless turned off.

#include "http/http_client.h"

namespace gd2s::http {

/// Throws std::runtime_error if libcurl cannot be set up.
HttpClientPtr make_curl_client(const HttpOptions& options);

}  // namespace gd2s::http
