// Parsing of the configuration file (the DCR part is in dcr_config.cpp).
#include "config.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <initializer_list>

#include "config_parse.h"
#include "crypto.h"
#include "json_util.h"
#include "time_util.h"

namespace wsemu {
namespace config_detail {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw ConfigError(where + ": " + what);
}

void check_keys(const Value& object, std::initializer_list<const char*> allowed, const std::string& where) {
  if (!object.IsObject()) fail(where, "must be a JSON object");
  for (const auto& member : object.GetObject()) {
    const std::string name(member.name.GetString(), member.name.GetStringLength());
    if (name == "comment" || name.rfind("$", 0) == 0) continue;
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return name == a; })) {
      fail(where, "unknown field '" + name + "'");
    }
  }
}

std::string required_string(const Value& object, const char* name, const std::string& where) {
  auto value = string_member(object, name);
  if (!value || value->empty()) fail(where, std::string("needs a non-empty string \"") + name + "\"");
  return *value;
}

std::vector<std::string> string_list(const Value& object, const char* name, const std::string& where) {
  std::vector<std::string> out;
  auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return out;
  if (it->value.IsString()) return {it->value.GetString()};
  if (!it->value.IsArray()) fail(where, std::string("\"") + name + "\" must be a list of strings");
  for (const auto& item : it->value.GetArray()) {
    if (!item.IsString()) fail(where, std::string("\"") + name + "\" must be a list of strings");
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

std::string resolve(const std::string& base_dir, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute() || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / p).string();
}

std::string read_config_file(const std::string& path, const std::string& where) {
  try {
    return read_file(path);
  } catch (const std::exception&) {
    fail(where, "cannot read " + path);
  }
}

}  // namespace config_detail

using namespace config_detail;

namespace {

DeclaredTable parse_declared_table(const Value& t, const std::string& where) {
  check_keys(t, {"name", "sub_type", "columns"}, where);
  DeclaredTable table;
  table.name = required_string(t, "name", where);
  const std::string here = where + " " + table.name;
  const std::string sub_type = string_member(t, "sub_type").value_or("DataCollectionRuleBased");
  const auto parsed = parse_table_sub_type(sub_type);
  if (!parsed) fail(here, "\"sub_type\" is \"Classic\" or \"DataCollectionRuleBased\"");
  table.sub_type = *parsed;
  if (table.sub_type == TableSubType::Classic &&
      (table.name.size() <= 3 || table.name.substr(table.name.size() - 3) != "_CL")) {
    fail(here, "a Classic table is a custom log table: its name ends in _CL");
  }
  if (auto columns = t.FindMember("columns"); columns != t.MemberEnd()) {
    if (!columns->value.IsArray()) fail(here, "\"columns\" must be an array");
    for (const auto& c : columns->value.GetArray()) {
      check_keys(c, {"name", "type", "description"}, here + " column");
      const std::string name = required_string(c, "name", here + " column");
      const std::string type_name = required_string(c, "type", here + " column " + name);
      const auto type = parse_table_column_type(type_name);
      if (!type) fail(here, "column " + name + " has unknown type '" + type_name + "'");
      if (name != "TimeGenerated") {
        if (const std::string problem = table_column_name_problem(name); !problem.empty()) {
          fail(here, "column name '" + name + "' " + problem);
        }
      }
      table.columns.push_back({name, *type});
    }
  }
  return table;
}

Workspace parse_workspace(const Value& w) {
  check_keys(
      w, {"id", "shared_key", "shared_keys", "resource_id", "tenant", "table_writers", "tables"},
      "workspace");
  Workspace workspace;
  workspace.id = required_string(w, "id", "workspace");
  const std::string here = "workspace " + workspace.id;
  workspace.shared_keys = string_list(w, "shared_keys", here);
  if (auto key = string_member(w, "shared_key"))
    workspace.shared_keys.insert(workspace.shared_keys.begin(), *key);
  if (workspace.shared_keys.empty()) fail(here, "needs \"shared_key\"");
  if (auto resource_id = string_member(w, "resource_id")) {
    std::string why;
    auto parts = parse_workspace_resource_id(*resource_id, true, &why);
    if (!parts) fail(here, "\"resource_id\" " + why);
    workspace.resource_id = *resource_id;
    workspace.resource = std::move(*parts);
  }
  workspace.tenant_id = string_member(w, "tenant");
  if (w.HasMember("table_writers")) workspace.table_writers = string_list(w, "table_writers", here);
  if (auto tables = w.FindMember("tables"); tables != w.MemberEnd()) {
    if (!tables->value.IsArray()) fail(here, "\"tables\" must be an array");
    for (const auto& t : tables->value.GetArray()) {
      DeclaredTable table = parse_declared_table(t, here + " table");
      for (const auto& other : workspace.tables) {
        if (iequals(other.name, table.name)) fail(here, "declares table " + table.name + " twice");
      }
      workspace.tables.push_back(std::move(table));
    }
  }
  return workspace;
}

/// What only the whole configuration can tell: unique workspace ids, one tenant per
/// subscription, and no configured rule sending to a table declared Classic (Azure refuses
/// such a rule until the table is migrated).
void check_workspaces(const Config& config) {
  for (std::size_t i = 0; i < config.workspaces.size(); ++i) {
    const auto& workspace = config.workspaces[i];
    const std::string here = "workspace " + workspace.id;
    for (std::size_t j = 0; j < i; ++j) {
      const auto& other = config.workspaces[j];
      if (!workspace.resource_id.empty() && iequals(workspace.resource_id, other.resource_id)) {
        fail(here, "has the same resource_id as workspace " + other.id);
      }
      if (workspace.resource_id.empty() || other.resource_id.empty()) continue;
      if (iequals(workspace.resource.subscription, other.resource.subscription) &&
          workspace.tenant_id && other.tenant_id &&
          !iequals(*workspace.tenant_id, *other.tenant_id)) {
        fail(here, "is in the subscription of workspace " + other.id + " but names another tenant");
      }
    }
    for (const auto& dcr : config.dcrs) {
      if (!workspace.resource_id.empty() && dcr.tenant_id && workspace.tenant_id &&
          iequals(workspace.resource.subscription, dcr.resource.subscription) &&
          !iequals(*workspace.tenant_id, *dcr.tenant_id)) {
        fail(here,
             "is in the subscription of dcr " + dcr.immutable_id + " but names another tenant");
      }
      for (const auto& flow : dcr.data_flows) {
        for (const auto& table : workspace.tables) {
          if (table.sub_type == TableSubType::Classic && iequals(table.name, flow.table)) {
            fail("dcr " + dcr.immutable_id,
                 "sends " + flow.output_stream + " to table " + table.name + ", which " + here +
                     " declares Classic: a classic custom log table, created by the Data "
                     "Collector API, must be migrated (Tables - Migrate) before a data collection "
                     "rule can send data to it; declare it \"DataCollectionRuleBased\"");
          }
        }
      }
    }
  }
}

AppCertificate load_certificate(const std::string& path, const std::string& where) {
  const auto certs = read_certificates_pem(read_config_file(path, where));
  if (certs.empty()) fail(where, path + " holds no PEM certificate");
  AppCertificate out;
  out.path = path;
  const std::string der = certificate_der(certs.front().get());
  out.sha256_thumbprint = sha256(der);
  out.sha1_thumbprint = sha1(der);
  out.public_key = SharedKey(certificate_public_key(certs.front().get()).release(), EVP_PKEY_free);
  return out;
}

std::vector<SharedKey> load_jwks(const std::string& path, const std::string& where) {
  rapidjson::Document doc;
  const std::string text = read_config_file(path, where);
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("keys") || !doc["keys"].IsArray()) {
    fail(where, path + " is not a JWKS document ({\"keys\": [...]})");
  }
  std::vector<SharedKey> keys;
  for (const auto& jwk : doc["keys"].GetArray()) {
    auto n = string_member(jwk, "n");
    auto e = string_member(jwk, "e");
    if (!n || !e) continue;
    if (PKey key = rsa_public_key_from_jwk(*n, *e)) keys.emplace_back(key.release(), EVP_PKEY_free);
  }
  if (keys.empty()) fail(where, path + " holds no RSA key");
  return keys;
}

Application parse_application(const Value& v, const std::string& base_dir, const std::string& where) {
  check_keys(v, {"client_id", "object_id", "display_name", "secret", "secrets", "certificate",
                 "certificates", "federated_credentials"},
             where);
  Application app;
  app.client_id = required_string(v, "client_id", where);
  app.object_id = string_member(v, "object_id").value_or(app.client_id);
  app.display_name = string_member(v, "display_name").value_or(app.client_id);
  const std::string here = where + " (" + app.client_id + ")";
  if (auto secret = string_member(v, "secret")) app.secrets.push_back({*secret, std::nullopt});
  if (auto it = v.FindMember("secrets"); it != v.MemberEnd()) {
    if (!it->value.IsArray()) fail(here, "\"secrets\" must be an array");
    for (const auto& s : it->value.GetArray()) {
      if (s.IsString()) {
        app.secrets.push_back({s.GetString(), std::nullopt});
        continue;
      }
      check_keys(s, {"value", "expires"}, here + " secret");
      ClientSecret secret{required_string(s, "value", here + " secret"), std::nullopt};
      if (auto expires = string_member(s, "expires")) {
        secret.expires = parse_iso8601(*expires);
        if (!secret.expires) fail(here, "secret \"expires\" must be an ISO 8601 date-time");
      }
      app.secrets.push_back(std::move(secret));
    }
  }
  std::vector<std::string> certificate_paths = string_list(v, "certificates", here);
  if (auto single = string_member(v, "certificate")) certificate_paths.push_back(*single);
  for (const auto& path : certificate_paths) {
    app.certificates.push_back(load_certificate(resolve(base_dir, path), here));
  }
  if (auto it = v.FindMember("federated_credentials"); it != v.MemberEnd()) {
    if (!it->value.IsArray()) fail(here, "\"federated_credentials\" must be an array");
    for (const auto& f : it->value.GetArray()) {
      const std::string fwhere = here + " federated credential";
      check_keys(f, {"name", "issuer", "subject", "audience", "audiences", "public_key", "jwks"}, fwhere);
      FederatedCredential credential;
      credential.issuer = required_string(f, "issuer", fwhere);
      credential.subject = required_string(f, "subject", fwhere);
      if (auto audience = string_member(f, "audience")) credential.audience = *audience;
      if (auto audiences = string_list(f, "audiences", fwhere); !audiences.empty()) {
        credential.audience = audiences.front();
      }
      if (auto pem_path = string_member(f, "public_key")) {
        const std::string path = resolve(base_dir, *pem_path);
        PKey key = read_public_key_pem(read_config_file(path, fwhere));
        if (!key) fail(fwhere, path + " holds no public key or certificate");
        credential.keys.emplace_back(key.release(), EVP_PKEY_free);
      }
      if (auto jwks_path = string_member(f, "jwks")) {
        for (auto& key : load_jwks(resolve(base_dir, *jwks_path), fwhere)) credential.keys.push_back(key);
      }
      app.federated_credentials.push_back(std::move(credential));
    }
  }
  return app;
}

}  // namespace

void apply_cloud_defaults(Config& config) {
  static const std::map<std::string, std::vector<std::string>> kResources = {
      {"public", {"https://monitor.azure.com", "https://management.azure.com", "https://management.core.windows.net"}},
      {"usgovernment", {"https://monitor.azure.us", "https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net"}},
      {"china", {"https://monitor.azure.cn", "https://management.chinacloudapi.cn", "https://management.core.chinacloudapi.cn"}},
  };
  auto it = kResources.find(config.cloud);
  if (it == kResources.end()) throw ConfigError("cloud must be public, usgovernment or china");
  if (config.logs_ingestion.audiences.empty()) config.logs_ingestion.audiences = {it->second.front()};
  // ARM's own list, in the order its InvalidAuthenticationTokenAudience message gives it.
  if (config.arm.audiences.empty()) config.arm.audiences = {it->second[2], it->second[1]};
  if (config.known_resources.empty()) {
    for (const auto& [cloud, resources] : kResources) {
      config.known_resources.insert(config.known_resources.end(), resources.begin(), resources.end());
    }
  }
}

Config default_config() {
  Config config;
  apply_cloud_defaults(config);
  return config;
}

Config parse_config(const std::string& text, const std::string& base_dir) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    throw ConfigError("the configuration is not valid JSON (at offset " + std::to_string(doc.GetErrorOffset()) + ")");
  }
  check_keys(
      doc,
      {"cloud", "known_resources", "entra", "imds", "logs_ingestion", "arm", "data_collector",
       "tenants", "managed_identities", "dcrs", "workspaces", "faults", "request_log_size"},
      "configuration");
  Config config;
  config.cloud = string_member(doc, "cloud").value_or("public");
  config.known_resources = string_list(doc, "known_resources", "configuration");
  config.request_log_size = static_cast<std::size_t>(int_member(doc, "request_log_size").value_or(2000));
  if (auto it = doc.FindMember("entra"); it != doc.MemberEnd()) {
    check_keys(it->value, {"token_lifetime_seconds", "assertion_leeway_seconds", "signing_key"}, "entra");
    config.token_lifetime_seconds = int_member(it->value, "token_lifetime_seconds").value_or(3599);
    config.assertion_leeway_seconds = int_member(it->value, "assertion_leeway_seconds").value_or(300);
    if (auto key = string_member(it->value, "signing_key")) config.signing_key_path = resolve(base_dir, *key);
  }
  if (auto it = doc.FindMember("imds"); it != doc.MemberEnd()) {
    check_keys(it->value, {"token_lifetime_seconds"}, "imds");
    config.imds_token_lifetime_seconds = int_member(it->value, "token_lifetime_seconds").value_or(86399);
  }
  if (auto it = doc.FindMember("logs_ingestion"); it != doc.MemberEnd()) {
    const Value& li = it->value;
    check_keys(li, {"audiences", "api_versions", "type_mismatch", "non_array_body",
                    "replace_out_of_range_time_generated", "max_body_bytes"},
               "logs_ingestion");
    auto& s = config.logs_ingestion;
    s.audiences = string_list(li, "audiences", "logs_ingestion");
    if (auto versions = string_list(li, "api_versions", "logs_ingestion"); !versions.empty()) s.api_versions = versions;
    const auto mismatch = string_member(li, "type_mismatch").value_or("reject");
    if (mismatch != "reject" && mismatch != "null") fail("logs_ingestion", "type_mismatch is \"reject\" or \"null\"");
    s.reject_type_mismatch = mismatch == "reject";
    const auto non_array = string_member(li, "non_array_body").value_or("reject");
    if (non_array != "reject" && non_array != "accept_and_drop") {
      fail("logs_ingestion", "non_array_body is \"reject\" or \"accept_and_drop\"");
    }
    s.reject_non_array_body = non_array == "reject";
    s.replace_out_of_range_time_generated = bool_member(li, "replace_out_of_range_time_generated").value_or(false);
    s.max_body_bytes = static_cast<std::size_t>(int_member(li, "max_body_bytes").value_or(1048576));
  }
  if (auto it = doc.FindMember("arm"); it != doc.MemberEnd()) {
    check_keys(it->value,
               {"audiences", "api_versions", "table_api_versions", "role_assignment_api_versions"},
               "arm");
    config.arm.audiences = string_list(it->value, "audiences", "arm");
    if (auto versions = string_list(it->value, "api_versions", "arm"); !versions.empty())
      config.arm.api_versions = versions;
    if (auto versions = string_list(it->value, "table_api_versions", "arm"); !versions.empty())
      config.arm.table_api_versions = versions;
    if (auto versions = string_list(it->value, "role_assignment_api_versions", "arm");
        !versions.empty())
      config.arm.role_assignment_api_versions = versions;
  }
  if (auto it = doc.FindMember("data_collector"); it != doc.MemberEnd()) {
    check_keys(it->value, {"max_body_bytes", "max_date_skew_seconds", "max_value_bytes"}, "data_collector");
    auto& s = config.data_collector;
    s.max_body_bytes = static_cast<std::size_t>(int_member(it->value, "max_body_bytes").value_or(30000000));
    s.max_date_skew_seconds = int_member(it->value, "max_date_skew_seconds").value_or(900);
    s.max_value_bytes = static_cast<std::size_t>(int_member(it->value, "max_value_bytes").value_or(32768));
  }
  if (auto it = doc.FindMember("tenants"); it != doc.MemberEnd()) {
    if (!it->value.IsArray()) fail("tenants", "must be an array");
    for (const auto& t : it->value.GetArray()) {
      check_keys(t, {"id", "domains", "applications"}, "tenant");
      Tenant tenant;
      tenant.id = required_string(t, "id", "tenant");
      tenant.domains = string_list(t, "domains", "tenant " + tenant.id);
      if (auto apps = t.FindMember("applications"); apps != t.MemberEnd()) {
        if (!apps->value.IsArray()) fail("tenant " + tenant.id, "\"applications\" must be an array");
        for (const auto& a : apps->value.GetArray()) {
          tenant.applications.push_back(parse_application(a, base_dir, "tenant " + tenant.id + " application"));
        }
      }
      config.tenants.push_back(std::move(tenant));
    }
  }
  if (auto it = doc.FindMember("managed_identities"); it != doc.MemberEnd()) {
    if (!it->value.IsArray()) fail("managed_identities", "must be an array");
    for (const auto& m : it->value.GetArray()) {
      check_keys(m, {"tenant", "client_id", "object_id", "resource_id", "system_assigned"}, "managed identity");
      ManagedIdentity identity;
      identity.tenant_id = required_string(m, "tenant", "managed identity");
      identity.client_id = required_string(m, "client_id", "managed identity");
      identity.object_id = string_member(m, "object_id").value_or(identity.client_id);
      identity.resource_id = string_member(m, "resource_id").value_or("");
      identity.system_assigned = bool_member(m, "system_assigned").value_or(false);
      if (!config.find_tenant(identity.tenant_id)) {
        fail("managed identity " + identity.client_id, "names unknown tenant " + identity.tenant_id);
      }
      config.managed_identities.push_back(std::move(identity));
    }
  }
  if (auto it = doc.FindMember("dcrs"); it != doc.MemberEnd()) {
    if (!it->value.IsArray()) fail("dcrs", "must be an array");
    for (const auto& d : it->value.GetArray()) config.dcrs.push_back(parse_dcr(d, base_dir, "dcr"));
    for (std::size_t i = 0; i < config.dcrs.size(); ++i) {
      const auto& dcr = config.dcrs[i];
      for (std::size_t j = 0; j < i; ++j) {
        const auto& other = config.dcrs[j];
        if (iequals(dcr.resource_id, other.resource_id)) {
          fail("dcr " + dcr.immutable_id, "has the same resource_id as dcr " + other.immutable_id);
        }
        // A subscription belongs to one tenant: ARM answers for it in that tenant's name.
        if (iequals(dcr.resource.subscription, other.resource.subscription) && dcr.tenant_id &&
            other.tenant_id && !iequals(*dcr.tenant_id, *other.tenant_id)) {
          fail("dcr " + dcr.immutable_id,
               "is in the subscription of dcr " + other.immutable_id + " but names another tenant");
        }
      }
    }
  }
  if (auto it = doc.FindMember("workspaces"); it != doc.MemberEnd()) {
    if (!it->value.IsArray()) fail("workspaces", "must be an array");
    for (const auto& w : it->value.GetArray()) {
      config.workspaces.push_back(parse_workspace(w));
    }
    check_workspaces(config);
  }
  if (auto it = doc.FindMember("faults"); it != doc.MemberEnd()) {
    std::string error;
    config.faults = parse_fault_rules(it->value, &error);
    if (!error.empty()) fail("faults", error);
  }
  apply_cloud_defaults(config);
  return config;
}

Config load_config_file(const std::string& path) {
  const std::string base = std::filesystem::path(path).parent_path().string();
  return parse_config(read_config_file(path, "configuration"), base);
}

const Tenant* Config::find_tenant(const std::string& id_or_domain) const {
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  const std::string wanted = lower(id_or_domain);
  for (const auto& tenant : tenants) {
    if (lower(tenant.id) == wanted) return &tenant;
    for (const auto& domain : tenant.domains) {
      if (lower(domain) == wanted) return &tenant;
    }
  }
  return nullptr;
}

const DataCollectionRule* Config::find_dcr(const std::string& immutable_id) const {
  for (const auto& dcr : dcrs) {
    if (dcr.immutable_id == immutable_id) return &dcr;
  }
  return nullptr;
}

const DataCollectionRule* Config::find_dcr_by_resource_id(std::string_view resource_id) const {
  for (const auto& dcr : dcrs) {
    if (iequals(dcr.resource_id, resource_id)) return &dcr;
  }
  return nullptr;
}

const Workspace* Config::find_workspace_by_resource_id(std::string_view resource_id) const {
  for (const auto& workspace : workspaces) {
    if (!workspace.resource_id.empty() && iequals(workspace.resource_id, resource_id))
      return &workspace;
  }
  return nullptr;
}

const Workspace* Config::find_workspace(const std::string& id) const {
  for (const auto& workspace : workspaces) {
    if (workspace.id == id) return &workspace;
  }
  return nullptr;
}

}  // namespace wsemu
