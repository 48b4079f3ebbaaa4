#pragma once
// The Microsoft Entra ID v2 token endpoint, client credentials grant (REFERENCE §7.2–§7.4):
// POST {authority}/{tenant}/oauth2/v2.0/token with a client secret or a client assertion.
// Shared by the secret, certificate and workload identity providers.

#include <stop_token>
#include <string>
#include <string_view>

#include "azure/token_provider.h"
#include "http/http_client.h"

namespace gd2s::azure {

/// The application asking for a token, and where.
struct EntraApp {
  std::string authority_host;  // "https://login.microsoftonline.com", no trailing '/'
  std::string tenant_id;
  std::string client_id;
  std::string scope;  // "https://monitor.azure.com/.default"

  /// "{authority_host}/{tenant_id}/oauth2/v2.0/token": the URL, and a client assertion's `aud`.
  std::string token_endpoint() const;
  /// "app <client id> in tenant <tenant id>", for messages.
  std::string identity() const;
};

/// How the application proves itself: a client secret, or a signed JWT (certificate or
/// federated token).
struct ClientCredential {
  enum class Kind { kSecret, kAssertion };
  Kind kind;
  Secret value;
  std::string what;  // "client secret", "certificate <x5t#S256>", "federated token", for messages
};

/// application/x-www-form-urlencoded escaping: everything but A–Z a–z 0–9 - . _ ~ as %XX.
std::string form_escape(std::string_view text);

/// Asks for a token. 429, 5xx and connection failures are retried a few times (stopping early
/// when `stop` is requested). Throws TokenError naming the endpoint, the tenant, the client id
/// and Entra's AADSTS description, with a hint for the common mistakes; never the credential.
AccessToken request_client_credentials_token(http::HttpClient& http, const EntraApp& app,
                                             const ClientCredential& credential,
                                             std::stop_token stop = {});

}  // namespace gd2s::azure
