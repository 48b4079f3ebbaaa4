// The Azure Instance Metadata Service's managed-identity token endpoint
// (REFERENCE.md §7.5): GET /metadata/identity/oauth2/token with
// "Metadata: true", api-version and resource, optionally client_id,
// object_id or msi_res_id for a user-assigned identity.
#include <algorithm>
#include <cctype>

#include "handlers.h"
#include "http_util.h"
#include "json_util.h"
#include "time_util.h"

namespace wsemu {
namespace {

void imds_error(httplib::Response& response, int status, const std::string& error, const std::string& description,
                RequestRecord& record) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_member(w, "error", error);
  write_member(w, "error_description", description);
  w.EndObject();
  set_json(response, status, std::string(buffer.GetString(), buffer.GetSize()));
  record.error_code = error;
}

bool equals_ignore_case(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const ManagedIdentity* select_identity(const Config& config, const httplib::Request& request, std::string& why) {
  const auto& all = config.managed_identities;
  auto find = [&](auto predicate) -> const ManagedIdentity* {
    auto it = std::find_if(all.begin(), all.end(), predicate);
    return it == all.end() ? nullptr : &*it;
  };
  if (request.has_param("client_id")) {
    const std::string id = request.get_param_value("client_id");
    return find([&](const ManagedIdentity& m) { return equals_ignore_case(m.client_id, id); });
  }
  if (request.has_param("object_id")) {
    const std::string id = request.get_param_value("object_id");
    return find([&](const ManagedIdentity& m) { return equals_ignore_case(m.object_id, id); });
  }
  for (const char* name : {"msi_res_id", "mi_res_id"}) {
    if (request.has_param(name)) {
      const std::string id = request.get_param_value(name);
      return find([&](const ManagedIdentity& m) { return !m.resource_id.empty() && equals_ignore_case(m.resource_id, id); });
    }
  }
  if (const auto* system = find([](const ManagedIdentity& m) { return m.system_assigned; })) return system;
  if (all.size() > 1) {
    why = "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the "
          "token request";
  }
  return all.size() == 1 ? &all.front() : nullptr;
}

void token(const httplib::Request& request, httplib::Response& response, Emulator& emulator) {
  RequestScope scope(emulator, Endpoint::Imds, request, response);
  auto& record = scope.record();
  if (!equals_ignore_case(request.get_header_value("Metadata"), "true")) {
    return imds_error(response, 400, "bad_request_102", "Required metadata header not specified", record);
  }
  if (apply_fault(emulator, Endpoint::Imds, request, response, record)) return;
  if (!request.has_param("api-version")) {
    return imds_error(response, 400, "invalid_request", "Required query variable 'api-version' is missing", record);
  }
  const std::string resource_param = request.get_param_value("resource");
  if (resource_param.empty()) {
    return imds_error(response, 400, "invalid_request", "Required audience parameter not specified", record);
  }
  std::string why;
  const ManagedIdentity* identity = select_identity(emulator.config, request, why);
  if (identity == nullptr) {
    return imds_error(response, 400, "invalid_request", why.empty() ? "Identity not found" : why, record);
  }
  const std::string resource = normalize_resource(resource_param);
  const auto& known = emulator.config.known_resources;
  if (std::none_of(known.begin(), known.end(), [&](const std::string& k) { return normalize_resource(k) == resource; })) {
    return imds_error(response, 400, "invalid_resource",
                      "AADSTS500011: The resource principal named " + resource +
                          " was not found in the tenant named " + identity->tenant_id +
                          ". This can happen if the application has not been installed by the administrator of the "
                          "tenant or consented to by any user in the tenant. You might have sent your authentication "
                          "request to the wrong tenant.",
                      record);
  }
  const std::int64_t now = now_epoch_seconds();
  AccessTokenClaims claims;
  claims.tenant_id = identity->tenant_id;
  claims.audience = resource;
  claims.app_id = identity->client_id;
  claims.object_id = identity->object_id;
  claims.app_id_acr = "2";
  claims.mi_resource_id = identity->resource_id;
  claims.lifetime_seconds = emulator.config.imds_token_lifetime_seconds;
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_member(w, "access_token", emulator.signer.issue(claims, now));
  write_member(w, "client_id", identity->client_id);
  write_member(w, "expires_in", std::to_string(claims.lifetime_seconds));
  write_member(w, "expires_on", std::to_string(now + claims.lifetime_seconds));
  write_member(w, "ext_expires_in", std::to_string(claims.lifetime_seconds));
  write_member(w, "not_before", std::to_string(now));
  write_member(w, "refresh_token", "");
  write_member(w, "resource", resource_param);
  write_member(w, "token_type", "Bearer");
  w.EndObject();
  set_json(response, 200, std::string(buffer.GetString(), buffer.GetSize()));
}

}  // namespace

void register_imds(httplib::Server& server, Emulator& emulator) {
  server.Get(R"(/metadata/identity/oauth2/token/?)",
             [&emulator](const httplib::Request& req, httplib::Response& res) { token(req, res, emulator); });
}

}  // namespace wsemu
