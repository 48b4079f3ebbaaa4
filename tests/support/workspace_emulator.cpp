#include "support/workspace_emulator.h"

#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "http/curl_client.h"
#include "transform/schema.h"

extern char** environ;

namespace gd2s::test {

std::string WorkspaceEmulator::default_members(const std::vector<std::string>& app_certificates) {
  std::string certificates;
  for (const std::string& path : app_certificates)
    certificates += (certificates.empty() ? "\"" : ", \"") + path + "\"";
  return std::string(R"("cloud": "public",
  "tenants": [{
    "id": ")") +
         kTenant + R"(",
    "domains": ["gd2sentinel-test.onmicrosoft.com"],
    "applications": [{
      "client_id": ")" +
         kClientId + R"(",
      "object_id": "5b3f7c2e-0000-4000-8000-000000000003",
      "secret": ")" +
         kClientSecret + R"(",
      "certificates": [)" +
         certificates + R"(],
      "federated_credentials": [{
        "issuer": ")" +
         kFederatedIssuer + R"(",
        "subject": ")" +
         kFederatedSubject + R"(",
        "audience": "api://AzureADTokenExchange"
      }]
    }]
  }],
  "managed_identities": [{
    "tenant": ")" +
         kTenant + R"(",
    "client_id": ")" +
         kManagedIdentityClientId + R"(",
    "object_id": ")" +
         kManagedIdentityObjectId + R"(",
    "system_assigned": true
  }],
  "dcrs": [{
    "immutable_id": ")" +
         kDcr + R"(",
    "resource_id": ")" +
         kDcrResourceId + R"(",
    "stream_declarations": {
      ")" +
         kNativeStream + R"(": {"columns_from": "native.schema.json"},
      ")" +
         kLegacyStream + R"(": {"columns_from": "legacy.schema.json"}
    }
  }],
  "workspaces": [{"id": ")" +
         kWorkspaceId + R"(", "shared_key": ")" + kSharedKey + R"(", "resource_id": ")" +
         kWorkspaceResourceId + R"(", "tenant": ")" + kTenant + R"("}])";
}

WorkspaceEmulator::WorkspaceEmulator(const std::string& extra_json,
                                     const std::vector<std::string>& app_certificates)
    : http_(http::make_curl_client({})) {
  for (const char* name : {"native", "legacy"})
    write_file(dir_.file(std::string(name) + ".schema.json"), schema_to_json(*make_schema(name)));
  std::string config = "{" + default_members(app_certificates) +
                       (extra_json.empty() ? "" : ",\n" + extra_json) + "}";
  write_file(dir_.file("emulator.json"), config);
  start(dir_.file("emulator.json"));
}

WorkspaceEmulator::WorkspaceEmulator(const ConfigFile& config) : http_(http::make_curl_client({})) {
  start(source_dir() + "/tools/workspace-emulator/config/" + config.name);
}

void WorkspaceEmulator::start(const std::string& config_path) {
  int out[2], in[2];
  if (pipe(out) != 0 || pipe(in) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, in[1]);
  ca_file_ = dir_.file("ca.pem");
  std::vector<std::string> args{
      GD2S_EMULATOR_BINARY, "--config", config_path,        "--ca-out", ca_file_,
      "--threads",          "16",       "--exit-with-stdin"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(in[0]);
  stdin_fd_ = in[1];
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error(std::string("cannot start ") + GD2S_EMULATOR_BINARY);
  }
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  simdjson::dom::parser parser;
  simdjson::dom::element ready;
  std::string_view url, http_url;
  if (parser.parse(line).get(ready) || ready["url"].get(url) || ready["http_url"].get(http_url))
    throw std::runtime_error("the workspace emulator did not start: " + line);
  url_ = std::string(url);
  http_url_ = std::string(http_url);
}

azure::AzureAuthOptions WorkspaceEmulator::client_secret_auth(const std::string& secret) const {
  azure::AzureAuthOptions auth;
  auth.auth = azure::AzureAuth::kClientSecret;
  auth.tenant_id = kTenant;
  auth.client_id = kClientId;
  auth.client_secret = Secret(secret);
  auth.authority_host = url_;
  return auth;
}

WorkspaceEmulator::~WorkspaceEmulator() {
  if (stdin_fd_ >= 0) close(stdin_fd_);
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

std::string WorkspaceEmulator::generate_app_certificate(const std::string& pem_path) {
  std::string command = std::string(GD2S_EMULATOR_BINARY) + " gen-cert --out '" + pem_path + "'";
  FILE* out = popen(command.c_str(), "r");
  if (out == nullptr) throw std::runtime_error("cannot run " + command);
  std::string line;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, out) != nullptr) line += buffer;
  int status = pclose(out);
  simdjson::dom::parser parser;
  std::string_view thumbprint;
  if (status != 0 || parser.parse(line)["x5t#S256"].get(thumbprint))
    throw std::runtime_error(command + " failed: " + line);
  return std::string(thumbprint);
}

http::Response WorkspaceEmulator::admin(const std::string& method, const std::string& path,
                                        const std::string& body) {
  http::Request request{
      method, http_url_ + "/_emulator" + path, {}, body, std::chrono::milliseconds(0)};
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  http::Response response = http_->send(request);
  if (response.status >= 300)
    throw std::runtime_error(method + " /_emulator" + path + ": HTTP " +
                             std::to_string(response.status) + " " + response.body);
  return response;
}

void WorkspaceEmulator::set_faults(const std::string& rules_json) {
  admin("POST", "/faults", rules_json);
}

void WorkspaceEmulator::clear_faults() {
  admin("DELETE", "/faults");
}

void WorkspaceEmulator::clear_tables() {
  admin("DELETE", "/tables");
  admin("DELETE", "/requests");
}

std::map<std::string, int64_t> WorkspaceEmulator::tables() {
  std::string body = admin("GET", "/tables").body;
  simdjson::dom::parser parser;
  std::map<std::string, int64_t> counts;
  simdjson::dom::object tables = parser.parse(body).get_object().value();
  for (auto [name, count] : tables) counts[std::string(name)] = count.get_int64().value();
  return counts;
}

int64_t WorkspaceEmulator::row_count(const std::string& table) {
  auto counts = tables();
  auto it = counts.find(table);
  return it == counts.end() ? 0 : it->second;
}

std::vector<std::string> WorkspaceEmulator::rows(const std::string& table) {
  std::string body = admin("GET", "/tables/" + table + "/rows").body;
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    if (end > start) lines.push_back(body.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string WorkspaceEmulator::requests(const std::string& endpoint) {
  return admin("GET", "/requests" + (endpoint.empty() ? "" : "?endpoint=" + endpoint)).body;
}

std::string WorkspaceEmulator::federated_token(const std::string& issuer,
                                               const std::string& subject) {
  std::string body = admin("POST", "/federated-token",
                           R"({"issuer":")" + issuer + R"(","subject":")" + subject + R"("})")
                         .body;
  simdjson::dom::parser parser;
  std::string_view token;
  if (parser.parse(body)["token"].get(token)) throw std::runtime_error("federated-token: " + body);
  return std::string(token);
}

}  // namespace gd2s::test
