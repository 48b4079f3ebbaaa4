#include "azure/config.h"

#include <string>
#include <utility>

namespace gd2s::azure {
namespace {

constexpr OptionDoc kOptions[] = {
    {"auth",
     R"(`"auto"`, `"client_secret"`, `"certificate"`, `"workload_identity"`, `"managed_identity"`)",
     R"(`"auto"`)"},
    {"cloud", R"(`"public"`, `"usgovernment"`, `"china"`)", R"(`"public"`)"},
    {"tenant_id", "string", R"(`""`)"},
    {"client_id", "string", R"(`""`)"},
    {"client_secret", "secret", R"(`""`)"},
    {"certificate", "string", R"(`""`)"},
    {"authority_host", "URL", "the cloud's"},
    {"scope", "string", "the cloud's"},
    {"managed_identity_object_id", "string", R"(`""`)"},
    {"managed_identity_resource_id", "string", R"(`""`)"},
    {"imds_endpoint", "URL", "`http://169.254.169.254`"},
    {"resource_manager", "URL",
     "the cloud's (`https://management.azure.com`, `.usgovcloudapi.net`, `.chinacloudapi.cn`)"},
};

constexpr std::string_view kAuthNames[] = {"auto", "client_secret", "certificate",
                                           "workload_identity", "managed_identity"};
constexpr std::string_view kClouds[] = {"public", "usgovernment", "china"};

}  // namespace

std::span<const OptionDoc> azure_options() {
  return kOptions;
}

void read_azure_config(TableReader& r, AzureAuthOptions& azure) {
  std::string auth(auth_name(azure.auth));
  r.read_choice("auth", auth, kAuthNames);
  azure.auth = parse_auth(auth).value_or(AzureAuth::kAuto);
  r.read_choice("cloud", azure.cloud, kClouds);
  r.read("tenant_id", azure.tenant_id);
  r.read("client_id", azure.client_id);
  r.read_secret("client_secret", azure.client_secret);
  r.read("certificate", azure.certificate);
  r.read("authority_host", azure.authority_host);
  r.read("scope", azure.scope);
  r.read("managed_identity_object_id", azure.managed_identity_object_id);
  r.read("managed_identity_resource_id", azure.managed_identity_resource_id);
  r.read("imds_endpoint", azure.imds_endpoint);
  r.read("resource_manager", azure.resource_manager);
  bool app = azure.auth == AzureAuth::kClientSecret || azure.auth == AzureAuth::kCertificate;
  if (app && azure.tenant_id.empty())
    r.issue("tenant_id",
            "is required for auth = \"" + auth + "\": the Entra ID tenant (directory) id");
  if (app && azure.client_id.empty())
    r.issue("client_id", "is required for auth = \"" + auth + "\": the application (client) id");
  if (azure.auth == AzureAuth::kClientSecret && azure.client_secret.empty() &&
      r.line_of("client_secret") == 0)
    r.issue("client_secret",
            "is required for auth = \"client_secret\", e.g. \"env:AZURE_CLIENT_SECRET\"");
  if (azure.auth == AzureAuth::kCertificate && azure.certificate.empty())
    r.issue("certificate",
            "is required for auth = \"certificate\": a PEM file with the certificate and its "
            "private key");
  for (const auto& [key, value] : {std::pair{"authority_host", &azure.authority_host},
                                   std::pair{"imds_endpoint", &azure.imds_endpoint},
                                   std::pair{"resource_manager", &azure.resource_manager}})
    if (!value->empty() && !is_url(*value))
      r.issue(key, "must be a URL starting with https:// (or http:// for a local stand-in)");
  if (!azure.scope.empty() && !azure.scope.ends_with("/.default"))
    r.issue("scope", "must end in \"/.default\", e.g. \"https://monitor.azure.com/.default\"");
  int identities = !azure.managed_identity_object_id.empty() +
                   !azure.managed_identity_resource_id.empty() +
                   (azure.auth == AzureAuth::kManagedIdentity && !azure.client_id.empty());
  if (identities > 1)
    r.issue("managed_identity_object_id",
            "names a user-assigned identity a second way: set one of client_id, "
            "managed_identity_object_id and managed_identity_resource_id");
}

}  // namespace gd2s::azure
