// make_token_provider(): from the [azure] options to a cached provider, choosing one for `auto`.

#include "azure/azure_auth.h"

#include <cstdlib>
#include <stdexcept>

#include "azure/client_assertion.h"
#include "azure/token_providers.h"
#include "http/curl_client.h"

namespace gd2s::azure {
namespace {

using namespace std::chrono_literals;

constexpr const char* kDefaultImds = "http://169.254.169.254";

using GetEnv = std::function<std::optional<std::string>(const char*)>;

std::optional<std::string> process_getenv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string env_or_empty(const GetEnv& env, const char* name) {
  return env(name).value_or("");
}

std::string without_trailing_slash(std::string url) {
  while (url.ends_with('/')) url.pop_back();
  return url;
}

// "https://monitor.azure.com/.default" → "https://monitor.azure.com" (IMDS wants the resource).
std::string resource_of(std::string scope) {
  if (scope.ends_with("/.default")) scope.resize(scope.size() - 9);
  return scope;
}

void require(bool present, const std::string& auth, const std::string& what) {
  if (!present)
    throw std::invalid_argument("[azure] auth = " + auth + " needs " + what + "; it is not set");
}

// The tenant goes into the token URL's path: a GUID or a domain name, nothing else.
void check_tenant(const std::string& tenant) {
  for (char c : tenant)
    if (!(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-' &&
        c != '.')
      throw std::invalid_argument("[azure] tenant_id \"" + tenant +
                                  "\" is neither a GUID nor a domain name");
}

EntraApp entra_app(const AzureAuthOptions& options, const CloudEndpoints& cloud, std::string tenant,
                   std::string client_id, std::string authority) {
  check_tenant(tenant);
  return EntraApp{without_trailing_slash(authority.empty() ? cloud.authority_host : authority),
                  std::move(tenant), std::move(client_id),
                  options.scope.empty() ? cloud.scope : options.scope};
}

AzureAuth choose_auto(const AzureAuthOptions& options, const GetEnv& env) {
  if (!options.certificate.empty()) return AzureAuth::kCertificate;
  if (!options.client_secret.empty()) return AzureAuth::kClientSecret;
  if (!env_or_empty(env, "AZURE_FEDERATED_TOKEN_FILE").empty()) return AzureAuth::kWorkloadIdentity;
  return AzureAuth::kManagedIdentity;
}

TokenProviderPtr client_secret(const AzureAuthOptions& options, const CloudEndpoints& cloud,
                               http::HttpClientPtr http) {
  require(!options.tenant_id.empty(), "client_secret", "tenant_id");
  require(!options.client_id.empty(), "client_secret", "client_id");
  require(!options.client_secret.empty(), "client_secret", "client_secret");
  return make_client_secret_provider(
      entra_app(options, cloud, options.tenant_id, options.client_id, options.authority_host),
      options.client_secret, std::move(http));
}

TokenProviderPtr certificate(const AzureAuthOptions& options, const CloudEndpoints& cloud,
                             http::HttpClientPtr http) {
  require(!options.tenant_id.empty(), "certificate", "tenant_id");
  require(!options.client_id.empty(), "certificate", "client_id");
  require(!options.certificate.empty(), "certificate", "certificate (a PEM file)");
  try {
    AppCertificate::load(options.certificate);  // fail at start-up, not at the first batch
  } catch (const TokenError& error) {
    throw std::invalid_argument(std::string("[azure] certificate: ") + error.what());
  }
  return make_certificate_provider(
      entra_app(options, cloud, options.tenant_id, options.client_id, options.authority_host),
      options.certificate, std::move(http));
}

TokenProviderPtr workload_identity(const AzureAuthOptions& options, const CloudEndpoints& cloud,
                                   const GetEnv& env, http::HttpClientPtr http) {
  std::string tenant =
      options.tenant_id.empty() ? env_or_empty(env, "AZURE_TENANT_ID") : options.tenant_id;
  std::string client =
      options.client_id.empty() ? env_or_empty(env, "AZURE_CLIENT_ID") : options.client_id;
  std::string authority = options.authority_host.empty() ? env_or_empty(env, "AZURE_AUTHORITY_HOST")
                                                         : options.authority_host;
  std::string token_file = env_or_empty(env, "AZURE_FEDERATED_TOKEN_FILE");
  require(!tenant.empty(), "workload_identity", "tenant_id (or AZURE_TENANT_ID)");
  require(!client.empty(), "workload_identity", "client_id (or AZURE_CLIENT_ID)");
  require(!token_file.empty(), "workload_identity",
          "AZURE_FEDERATED_TOKEN_FILE (set by the Azure Workload Identity webhook)");
  return make_workload_identity_provider(
      entra_app(options, cloud, std::move(tenant), std::move(client), std::move(authority)),
      std::move(token_file), std::move(http));
}

TokenProviderPtr managed_identity(const AzureAuthOptions& options, const CloudEndpoints& cloud) {
  int selectors = !options.client_id.empty() + !options.managed_identity_object_id.empty() +
                  !options.managed_identity_resource_id.empty();
  if (selectors > 1)
    throw std::invalid_argument(
        "[azure] auth = managed_identity: set at most one of client_id, "
        "managed_identity_object_id and managed_identity_resource_id (none: the "
        "system-assigned identity)");
  ManagedIdentityOptions mi;
  mi.endpoint =
      without_trailing_slash(options.imds_endpoint.empty() ? kDefaultImds : options.imds_endpoint);
  mi.resource = options.scope.empty() ? cloud.resource : resource_of(options.scope);
  mi.client_id = options.client_id;
  mi.object_id = options.managed_identity_object_id;
  mi.resource_id = options.managed_identity_resource_id;
  mi.backoff_base = options.imds_backoff_base;
  // IMDS is link-local and must not be reached through a proxy (REFERENCE §7.5), whatever the
  // [http] proxy or HTTPS_PROXY say; it answers at once or not at all.
  http::HttpOptions direct;
  direct.use_proxy = false;
  direct.connect_timeout = 2s;
  direct.timeout = 30s;
  return make_managed_identity_provider(std::move(mi), http::make_curl_client(direct));
}

}  // namespace

namespace {
constexpr std::pair<AzureAuth, std::string_view> kAuthNames[] = {
    {AzureAuth::kAuto, "auto"},
    {AzureAuth::kClientSecret, "client_secret"},
    {AzureAuth::kCertificate, "certificate"},
    {AzureAuth::kWorkloadIdentity, "workload_identity"},
    {AzureAuth::kManagedIdentity, "managed_identity"},
};
}  // namespace

std::string_view auth_name(AzureAuth auth) {
  for (const auto& [value, name] : kAuthNames)
    if (value == auth) return name;
  return "auto";
}

std::optional<AzureAuth> parse_auth(std::string_view name) {
  for (const auto& [value, text] : kAuthNames)
    if (text == name) return value;
  return std::nullopt;
}

TokenProviderPtr make_token_provider(const AzureAuthOptions& options, http::HttpClientPtr http) {
  CloudEndpoints cloud = cloud_endpoints(options.cloud);
  GetEnv env = options.getenv ? options.getenv : GetEnv(process_getenv);
  AzureAuth auth = options.auth == AzureAuth::kAuto ? choose_auto(options, env) : options.auth;
  TokenProviderPtr inner;
  switch (auth) {
    case AzureAuth::kClientSecret:
      inner = client_secret(options, cloud, std::move(http));
      break;
    case AzureAuth::kCertificate:
      inner = certificate(options, cloud, std::move(http));
      break;
    case AzureAuth::kWorkloadIdentity:
      inner = workload_identity(options, cloud, env, std::move(http));
      break;
    case AzureAuth::kAuto:  // chosen above
    case AzureAuth::kManagedIdentity:
      inner = managed_identity(options, cloud);
      break;
  }
  return make_token_cache(std::move(inner));
}

}  // namespace gd2s::azure
