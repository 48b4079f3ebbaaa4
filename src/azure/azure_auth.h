#pragma once
// Choosing how gd2sentinel gets its Microsoft Entra ID token (REFERENCE §7): the per-cloud
// endpoints, the [azure] options, and the factory that turns them into a cached TokenProvider.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "azure/token_provider.h"
#include "core/duration.h"
#include "core/secret.h"
#include "http/http_client.h"

namespace gd2s::azure {

struct CloudEndpoints {
  std::string authority_host;    // "https://login.microsoftonline.com", no trailing '/'
  std::string scope;             // "https://monitor.azure.com/.default", for the token endpoint
  std::string resource;          // "https://monitor.azure.com", for IMDS
  std::string resource_manager;  // "https://management.azure.com": ARM, its own token audience
};

/// "public" | "usgovernment" | "china" per REFERENCE §7.1 (authority
/// https://login.microsoftonline.com / .us / https://login.partner.microsoftonline.cn; scope
/// https://monitor.azure.com/.default etc.; resource without /.default for IMDS). Throws
/// std::invalid_argument for others.
CloudEndpoints cloud_endpoints(std::string_view cloud);

/// How the token is had; kAuto picks the first that is configured (make_token_provider).
enum class AzureAuth { kAuto, kClientSecret, kCertificate, kWorkloadIdentity, kManagedIdentity };

/// "auto", "client_secret", "certificate", "workload_identity", "managed_identity": the [azure]
/// auth values.
[[nodiscard]] std::string_view auth_name(AzureAuth auth);
[[nodiscard]] std::optional<AzureAuth> parse_auth(std::string_view name);

/// [azure]: how the sinks, `check` and `migrate table` get Entra ID tokens.
struct AzureAuthOptions {
  AzureAuth auth = AzureAuth::kAuto;
  std::string cloud = "public";
  std::string tenant_id, client_id;
  Secret client_secret;
  std::string certificate;     // PEM file with certificate + private key
  std::string authority_host;  // override (tests, sovereign clouds); empty = the cloud's
  std::string scope;           // override; empty = the cloud's
  std::string managed_identity_object_id;    // user-assigned MI by object id
  std::string managed_identity_resource_id;  // user-assigned MI by ARM resource id (msi_res_id)
  std::string imds_endpoint;                 // override; empty = http://169.254.169.254
  std::string resource_manager;  // ARM endpoint override (check, migrate table); empty: the cloud's
  /// IMDS retries come at once, then after base, 2×base, 4×base, 8×base: with 2 s, at about
  /// 0/2/6/14/30 s after the first failure (REFERENCE §7.5). Tests shorten it.
  Duration imds_backoff_base = std::chrono::seconds(2);
  std::function<std::optional<std::string>(const char*)> getenv;  // null = ::getenv; for tests
};

/// The provider `options.auth` names, wrapped in the token cache (renewal five minutes before
/// expiry, one renewal at a time). `auto` takes the first that is configured: certificate
/// (`certificate` set), client secret (`client_secret` non-empty), workload identity
/// (AZURE_FEDERATED_TOKEN_FILE set), else managed identity. For managed identity a non-empty
/// `client_id` selects a user-assigned identity by client id (at most one of client_id,
/// managed_identity_object_id, managed_identity_resource_id; none: system-assigned); IMDS is
/// reached directly, never through a proxy.
///
/// Throws std::invalid_argument when the options are incomplete or contradictory (the message
/// names the option to set), or the certificate file cannot be used. Asks Entra for nothing:
/// the first token() does.
[[nodiscard]] TokenProviderPtr make_token_provider(const AzureAuthOptions& options,
                                                   http::HttpClientPtr http);

}  // namespace gd2s::azure
