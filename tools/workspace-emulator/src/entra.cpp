// Microsoft Entra ID v2 token endpoint for the client-credentials grant
// (REFERENCE.md §7.2–7.4), with the metadata MSAL reads first.
#include <algorithm>

#include "base64.h"
#include "client_assertion.h"
#include "entra_errors.h"
#include "handlers.h"
#include "http_util.h"
#include "json_util.h"
#include "time_util.h"

namespace wsemu {
namespace {

constexpr const char* kJwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

struct TokenRequest {
  std::string tenant;
  std::map<std::string, std::string> form;
  std::string basic_client_id;
  std::string basic_secret;
};

std::string form_value(const TokenRequest& r, const char* name) {
  auto it = r.form.find(name);
  return it == r.form.end() ? "" : it->second;
}

void parse_basic_authorization(const httplib::Request& request, TokenRequest& out) {
  const std::string header = request.get_header_value("Authorization");
  if (header.rfind("Basic ", 0) != 0) return;
  const auto decoded = base64_decode(header.substr(6)).value_or("");
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return;
  out.basic_client_id = url_decode(decoded.substr(0, colon), true);
  out.basic_secret = url_decode(decoded.substr(colon + 1), true);
}

std::string tenant_not_found(const std::string& tenant) {
  return "Tenant '" + tenant +
         "' not found. Check to make sure you have the correct tenant ID and are signing into the correct "
         "cloud. Check with your subscription administrator, this may happen if there are no active "
         "subscriptions for the tenant.";
}

/// The values a certificate assertion's "aud" may take for this tenant.
std::vector<std::string> token_endpoint_audiences(const httplib::Request& request, const Emulator& emulator,
                                                  const std::string& tenant_in_path, const Tenant& tenant) {
  std::vector<std::string> bases = {base_url(request, emulator), emulator.https_url};
  std::vector<std::string> names = {tenant_in_path, tenant.id};
  names.insert(names.end(), tenant.domains.begin(), tenant.domains.end());
  std::vector<std::string> out;
  for (const auto& base : bases) {
    for (const auto& name : names) {
      for (const char* suffix : {"/oauth2/v2.0/token", "/oauth2/token", "/v2.0", ""}) {
        out.push_back(base + "/" + name + suffix);
      }
    }
  }
  return out;
}

std::optional<EntraError> authenticate_client(const httplib::Request& request, Emulator& emulator,
                                              const TokenRequest& r, const Tenant& tenant, const Application& app,
                                              std::string& app_id_acr) {
  const std::string secret = !r.basic_secret.empty() ? r.basic_secret : form_value(r, "client_secret");
  const std::string assertion = form_value(r, "client_assertion");
  const std::int64_t now = now_epoch_seconds();
  if (!secret.empty()) {
    app_id_acr = "1";
    bool expired_match = false;
    for (const auto& s : app.secrets) {
      if (!constant_time_equal(s.value, secret)) continue;
      if (s.expires && *s.expires < now) {
        expired_match = true;
        continue;
      }
      return std::nullopt;
    }
    if (expired_match) {
      return EntraError{401, "invalid_client", 7000222,
                        "The provided client secret keys for app '" + app.client_id +
                            "' are expired. Visit the Azure portal to create new keys for your app: "
                            "https://aka.ms/NewClientSecret, or consider using certificate credentials for added "
                            "security: https://aka.ms/certCreds."};
    }
    return EntraError{401, "invalid_client", 7000215,
                      "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                      "secret value, not the client secret ID, for a secret added to app '" + app.client_id + "'."};
  }
  if (!assertion.empty()) {
    app_id_acr = "2";
    if (form_value(r, "client_assertion_type") != kJwtBearer) {
      return EntraError{400, "invalid_request", 900144,
                        "The request body must contain the following parameter: 'client_assertion_type'."};
    }
    AssertionContext context;
    context.app = &app;
    context.token_endpoint_audiences = token_endpoint_audiences(request, emulator, r.tenant, tenant);
    context.emulator_signer = &emulator.signer;
    context.now = now;
    context.leeway_seconds = emulator.config.assertion_leeway_seconds;
    return validate_client_assertion(assertion, context);
  }
  return EntraError{401, "invalid_client", 7000218,
                    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."};
}

void token_endpoint(const httplib::Request& request, httplib::Response& response, Emulator& emulator) {
  RequestScope scope(emulator, Endpoint::Token, request, response);
  auto& record = scope.record();
  response.set_header("Cache-Control", "no-store, no-cache");
  response.set_header("Pragma", "no-cache");
  if (apply_fault(emulator, Endpoint::Token, request, response, record)) return;
  const std::int64_t now = now_epoch_seconds();
  const std::string correlation = request.get_header_value("client-request-id");
  auto fail = [&](const EntraError& error) {
    set_json(response, error.http_status, entra_error_json(error, now, correlation));
    record.error_code = "AADSTS" + std::to_string(error.code);
  };

  TokenRequest r;
  r.tenant = request.matches[1].str();
  r.form = parse_form(request.body);
  parse_basic_authorization(request, r);

  const Tenant* tenant = emulator.config.find_tenant(r.tenant);
  if (tenant == nullptr) return fail({400, "invalid_request", 90002, tenant_not_found(r.tenant)});
  const std::string grant_type = form_value(r, "grant_type");
  if (grant_type.empty()) {
    return fail({400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."});
  }
  if (grant_type != "client_credentials") {
    return fail({400, "unsupported_grant_type", 70003,
                 "The app requested an unsupported grant type '" + grant_type + "'."});
  }
  const std::string client_id = !r.basic_client_id.empty() ? r.basic_client_id : form_value(r, "client_id");
  if (client_id.empty()) {
    return fail({400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."});
  }
  const std::string scope_text = form_value(r, "scope");
  if (scope_text.empty()) {
    return fail({400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'."});
  }
  if (scope_text.find(' ') != std::string::npos) {
    return fail({400, "invalid_scope", 70011,
                 "The provided request must include a 'scope' input parameter. The provided value for the input "
                 "parameter 'scope' is not valid. The scope " + scope_text + " is not valid."});
  }
  constexpr std::string_view kDefault = "/.default";
  if (scope_text.size() <= kDefault.size() || scope_text.substr(scope_text.size() - kDefault.size()) != kDefault) {
    return fail({400, "invalid_scope", 1002012,
                 "The provided value for scope " + scope_text + " is not valid. Client credential flows must have a "
                 "scope value with /.default suffixed to the resource identifier (application ID URI)."});
  }
  const std::string resource = normalize_resource(scope_text.substr(0, scope_text.size() - kDefault.size()));
  const auto& known = emulator.config.known_resources;
  if (std::none_of(known.begin(), known.end(), [&](const std::string& k) { return normalize_resource(k) == resource; })) {
    return fail({400, "invalid_resource", 500011,
                 "The resource principal named " + resource + " was not found in the tenant named " + tenant->id +
                     ". This can happen if the application has not been installed by the administrator of the "
                     "tenant or consented to by any user in the tenant. You might have sent your authentication "
                     "request to the wrong tenant."});
  }
  const Application* app = nullptr;
  for (const auto& a : tenant->applications) {
    if (a.client_id == client_id) app = &a;
  }
  if (app == nullptr) {
    return fail({400, "unauthorized_client", 700016,
                 "Application with identifier '" + client_id + "' was not found in the directory '" + tenant->id +
                     "'. This can happen if the application has not been installed by the administrator of the "
                     "tenant or consented to by any user in the tenant. You may have sent your authentication "
                     "request to the wrong tenant."});
  }
  std::string app_id_acr;
  if (auto error = authenticate_client(request, emulator, r, *tenant, *app, app_id_acr)) return fail(*error);

  AccessTokenClaims claims;
  claims.tenant_id = tenant->id;
  claims.audience = resource;
  claims.app_id = app->client_id;
  claims.object_id = app->object_id;
  claims.app_id_acr = app_id_acr;
  claims.lifetime_seconds = emulator.config.token_lifetime_seconds;
  const std::string token = emulator.signer.issue(claims, now);
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_member(w, "token_type", "Bearer");
  write_string(w, "expires_in");
  w.Int64(claims.lifetime_seconds);
  write_string(w, "ext_expires_in");
  w.Int64(claims.lifetime_seconds);
  write_member(w, "access_token", token);
  w.EndObject();
  set_json(response, 200, std::string(buffer.GetString(), buffer.GetSize()));
}

void openid_configuration(const httplib::Request& request, httplib::Response& response, Emulator& emulator) {
  const std::string tenant_in_path = request.matches[1].str();
  std::string tenant_id = tenant_in_path;
  if (tenant_in_path != "common" && tenant_in_path != "organizations") {
    const Tenant* tenant = emulator.config.find_tenant(tenant_in_path);
    if (tenant == nullptr) {
      set_json(response, 400,
               entra_error_json({400, "invalid_tenant", 90002, tenant_not_found(tenant_in_path)},
                                now_epoch_seconds(), ""));
      return;
    }
    tenant_id = tenant->id;
  } else {
    tenant_id = "{tenantid}";
  }
  const std::string base = base_url(request, emulator);
  const std::string root = base + "/" + tenant_id;
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_member(w, "token_endpoint", root + "/oauth2/v2.0/token");
  write_string(w, "token_endpoint_auth_methods_supported");
  w.StartArray();
  for (const char* m : {"client_secret_post", "private_key_jwt", "client_secret_basic"}) write_string(w, m);
  w.EndArray();
  write_member(w, "jwks_uri", root + "/discovery/v2.0/keys");
  write_string(w, "response_modes_supported");
  w.StartArray();
  for (const char* m : {"query", "fragment", "form_post"}) write_string(w, m);
  w.EndArray();
  write_string(w, "subject_types_supported");
  w.StartArray();
  write_string(w, "pairwise");
  w.EndArray();
  write_string(w, "id_token_signing_alg_values_supported");
  w.StartArray();
  write_string(w, "RS256");
  w.EndArray();
  write_string(w, "response_types_supported");
  w.StartArray();
  for (const char* m : {"code", "id_token", "code id_token", "id_token token"}) write_string(w, m);
  w.EndArray();
  write_string(w, "scopes_supported");
  w.StartArray();
  for (const char* m : {"openid", "profile", "email", "offline_access"}) write_string(w, m);
  w.EndArray();
  write_member(w, "issuer", root + "/v2.0");
  write_member(w, "authorization_endpoint", root + "/oauth2/v2.0/authorize");
  write_member(w, "device_authorization_endpoint", root + "/oauth2/v2.0/devicecode");
  write_member(w, "end_session_endpoint", root + "/oauth2/v2.0/logout");
  write_string(w, "tenant_region_scope");
  w.Null();
  write_member(w, "cloud_instance_name", "microsoftonline.com");
  write_member(w, "cloud_graph_host_name", "graph.windows.net");
  write_member(w, "msgraph_host", "graph.microsoft.com");
  w.EndObject();
  set_json(response, 200, std::string(buffer.GetString(), buffer.GetSize()));
}

void instance_discovery(const httplib::Request& request, httplib::Response& response, Emulator& emulator) {
  const std::string base = base_url(request, emulator);
  std::string host = base.substr(base.find("://") + 3);
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_member(w, "tenant_discovery_endpoint", base + "/{tenant}/v2.0/.well-known/openid-configuration");
  write_member(w, "api-version", "1.1");
  write_string(w, "metadata");
  w.StartArray();
  w.StartObject();
  write_member(w, "preferred_network", host);
  write_member(w, "preferred_cache", host);
  write_string(w, "aliases");
  w.StartArray();
  write_string(w, host);
  w.EndArray();
  w.EndObject();
  w.EndArray();
  w.EndObject();
  set_json(response, 200, std::string(buffer.GetString(), buffer.GetSize()));
}

}  // namespace

void register_entra(httplib::Server& server, Emulator& emulator) {
  server.Post(R"(/([^/]+)/oauth2/v2\.0/token)",
              [&emulator](const httplib::Request& req, httplib::Response& res) { token_endpoint(req, res, emulator); });
  server.Get(R"(/([^/]+)/v2\.0/\.well-known/openid-configuration)",
             [&emulator](const httplib::Request& req, httplib::Response& res) { openid_configuration(req, res, emulator); });
  server.Get(R"(/([^/]+)/\.well-known/openid-configuration)",
             [&emulator](const httplib::Request& req, httplib::Response& res) { openid_configuration(req, res, emulator); });
  server.Get(R"(/common/discovery/instance)",
             [&emulator](const httplib::Request& req, httplib::Response& res) { instance_discovery(req, res, emulator); });
  server.Get(R"(/([^/]+)/discovery/(v2\.0/)?keys)", [&emulator](const httplib::Request&, httplib::Response& res) {
    set_json(res, 200, emulator.signer.jwks_json());
  });
}

}  // namespace wsemu
