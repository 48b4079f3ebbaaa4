#pragma once
// The Azure workspace emulator (tools/workspace-emulator) as a child process for a test: Entra
// token endpoint, IMDS, Logs Ingestion and Data Collector on 127.0.0.1, with gd2sentinel's own
// native and legacy schemas declared as DCR streams.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "azure/azure_auth.h"
#include "http/http_client.h"
#include "support/test_support.h"

namespace gd2s::test {

class WorkspaceEmulator {
 public:
  // Fixed identities of the default configuration (test values, not secrets of anything real).
  static constexpr const char* kTenant = "3d6f7a21-0000-4000-8000-000000000001";
  static constexpr const char* kClientId = "0e9c4d1a-0000-4000-8000-000000000002";
  static constexpr const char* kClientSecret = "emulator-client-secret";
  static constexpr const char* kManagedIdentityClientId = "9a1d2c3b-0000-4000-8000-000000000004";
  static constexpr const char* kManagedIdentityObjectId = "c4d5e6f7-0000-4000-8000-000000000005";
  static constexpr const char* kDcr = "dcr-00000000000000000000000000000001";
  /// The rule's ARM id, for reads through the emulator's Resource Manager endpoint.
  static constexpr const char* kDcrResourceId =
      "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-test/"
      "providers/Microsoft.Insights/dataCollectionRules/gd2sentinel-guardduty";
  static constexpr const char* kNativeStream = "Custom-GuardDutyFinding";
  static constexpr const char* kLegacyStream = "Custom-GuardDutyLegacy";
  static constexpr const char* kWorkspaceId = "7e1d3b9a-0000-4000-8000-000000000006";
  /// Where the rule's destination points (the emulator's default for a rule without one).
  static constexpr const char* kWorkspaceResourceId =
      "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-test/"
      "providers/Microsoft.OperationalInsights/workspaces/emulator";
  static constexpr const char* kSharedKey =
      "SERsIYhgMVlJB6uPsq49gCxNiruf6v0vhMYE+lfzbSGcXjdViZdV/e5pEMTYtw9f8SkVLf4LFlLCc2KxtRZfCA==";
  static constexpr const char* kFederatedIssuer = "https://oidc.gd2sentinel.test/cluster";
  static constexpr const char* kFederatedSubject = "system:serviceaccount:gd2sentinel:shipper";

  /// Starts the emulator with default_config(), extended by `extra_json` members (e.g.
  /// `"faults": [...]`), written into a private folder. `app_certificates` (PEM paths, e.g. from
  /// generate_app_certificate()) are registered on the application kClientId. Throws when it
  /// cannot start.
  explicit WorkspaceEmulator(const std::string& extra_json = "",
                             const std::vector<std::string>& app_certificates = {});
  /// Starts the emulator with a configuration file of tools/workspace-emulator/config/ as it is
  /// (e.g. "logstash-migration.json": a workspace without gd2sentinel's rule).
  struct ConfigFile {
    std::string name;
  };
  explicit WorkspaceEmulator(const ConfigFile& config);
  ~WorkspaceEmulator();
  WorkspaceEmulator(const WorkspaceEmulator&) = delete;
  WorkspaceEmulator& operator=(const WorkspaceEmulator&) = delete;

  /// HTTPS base URL: Entra authority host, Logs Ingestion and Data Collector endpoint.
  const std::string& url() const { return url_; }
  /// Plain HTTP base URL: IMDS and the admin API.
  const std::string& http_url() const { return http_url_; }
  /// The test CA the HTTPS certificate is signed by.
  const std::string& ca_file() const { return ca_file_; }
  /// Sign-in options for the emulator's application with a client secret (kClientSecret unless
  /// `secret` is given), against this emulator as the authority host.
  azure::AzureAuthOptions client_secret_auth(const std::string& secret = kClientSecret) const;
  /// The folder the configuration lives in (for certificates a test adds).
  const TempDir& dir() const { return dir_; }

  /// Replaces the fault rules (a JSON array, as the emulator README describes); clears them.
  void set_faults(const std::string& rules_json);
  void clear_faults();
  /// Deletes every stored row (tables stay) and the request log.
  void clear_tables();
  /// Rows per table.
  std::map<std::string, int64_t> tables();
  int64_t row_count(const std::string& table);
  /// The stored rows of a table, one JSON object per element.
  std::vector<std::string> rows(const std::string& table);
  /// The request log as JSON (an array), optionally for one endpoint.
  std::string requests(const std::string& endpoint = "");
  /// A federated assertion signed by the emulator, for workload identity.
  std::string federated_token(const std::string& issuer, const std::string& subject);

  /// The default configuration's JSON members (without the outer braces).
  static std::string default_members(const std::vector<std::string>& app_certificates = {});

  /// Writes a self-signed application certificate with its private key to `pem_path`
  /// (`workspace-emulator gen-cert`); returns its x5t#S256. Throws when that fails.
  static std::string generate_app_certificate(const std::string& pem_path);

 private:
  http::Response admin(const std::string& method, const std::string& path,
                       const std::string& body = "");
  void start(const std::string& config_path);

  TempDir dir_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  std::string url_, http_url_, ca_file_;
  http::HttpClientPtr http_;
};

}  // namespace gd2s::test
