#pragma once
// The token providers behind make_token_provider(), one per way of proving who we are, and the
// cache that stands in front of them. Each uncached provider asks Entra or IMDS on every
// token() call; make_token_cache() is what makes them fit for the TokenProvider contract.

#include <functional>
#include <string>

#include "azure/entra_token_endpoint.h"
#include "azure/token_provider.h"
#include "core/duration.h"
#include "http/http_client.h"

namespace gd2s::azure {

/// Client credentials with a client secret (REFERENCE §7.2).
TokenProviderPtr make_client_secret_provider(EntraApp app, Secret secret, http::HttpClientPtr http);

/// Client credentials with a certificate: a PS256 client assertion signed with the private key
/// in `pem_path` (REFERENCE §7.3). The file is read at every renewal, so a rotated certificate
/// is picked up. Throws TokenError from token() when the file cannot be used.
TokenProviderPtr make_certificate_provider(EntraApp app, std::string pem_path,
                                           http::HttpClientPtr http);

/// Workload identity federation (REFERENCE §7.4): the contents of `token_file`, read afresh for
/// every token (the kubelet rotates it), as the client assertion.
TokenProviderPtr make_workload_identity_provider(EntraApp app, std::string token_file,
                                                 http::HttpClientPtr http);

struct ManagedIdentityOptions {
  std::string endpoint = "http://169.254.169.254";  // IMDS base URL, no trailing '/'
  std::string resource;                             // "https://monitor.azure.com"
  // At most one: a user-assigned identity; none: the system-assigned one.
  std::string client_id, object_id, resource_id;
  /// Retries of 404, 410, 429, 5xx and connection errors: the first at once, then base, 2×base,
  /// 4×base, 8×base (REFERENCE §7.5 recommends 5 retries over about 30 s).
  Duration backoff_base = std::chrono::seconds(2);
  int max_retries = 5;
};

/// Managed identity through the Azure Instance Metadata Service (REFERENCE §7.5). `http` should
/// not use a proxy (IMDS is link-local).
TokenProviderPtr make_managed_identity_provider(ManagedIdentityOptions options,
                                                http::HttpClientPtr http);

using Clock = std::function<Timestamp()>;

/// Caches `inner`'s token until five minutes before it expires; one renewal at a time (other
/// callers wait for it and share its token); keeps a still-valid token if a renewal fails;
/// invalidate() drops the token only if it is still the rejected one. describe() is inner's;
/// renewals() counts the tokens obtained from inner.
TokenProviderPtr make_token_cache(TokenProviderPtr inner, Clock clock = now_utc);

}  // namespace gd2s::azure
