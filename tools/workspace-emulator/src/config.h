// The emulator's configuration: one JSON file (README.md documents it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>

#include "faults.h"
#include "store.h"

namespace wsemu {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using SharedKey = std::shared_ptr<EVP_PKEY>;

struct ClientSecret {
  std::string value;
  std::optional<std::int64_t> expires;  // epoch seconds
};

struct AppCertificate {
  std::string path;
  std::string sha256_thumbprint;  // raw bytes of SHA-256(DER)
  std::string sha1_thumbprint;    // raw bytes of SHA-1(DER)
  SharedKey public_key;
};

/// A federated identity credential: assertions from `issuer` about `subject`
/// for `audience`. Signatures are checked against `keys`, or against the
/// emulator's own signing key when none are configured.
struct FederatedCredential {
  std::string issuer;
  std::string subject;
  std::string audience = "api://AzureADTokenExchange";
  std::vector<SharedKey> keys;
};

struct Application {
  std::string client_id;
  std::string object_id;  // of the service principal: the "oid" of its tokens
  std::string display_name;
  std::vector<ClientSecret> secrets;
  std::vector<AppCertificate> certificates;
  std::vector<FederatedCredential> federated_credentials;
};

struct Tenant {
  std::string id;
  std::vector<std::string> domains;
  std::vector<Application> applications;
};

struct ManagedIdentity {
  std::string tenant_id;
  std::string client_id;
  std::string object_id;
  std::string resource_id;  // user-assigned: /subscriptions/…/userAssignedIdentities/…
  bool system_assigned = false;
};

struct StreamDeclaration {
  std::string name;
  std::vector<StoredColumn> columns;
};

struct DataFlow {
  std::vector<std::string> streams;
  std::string output_stream;  // Microsoft-<Table> or Custom-<Table>_CL
  std::string table;          // the output stream without its prefix
  std::vector<std::string> destinations;  // names of Log Analytics destinations
  /// As given (a rule deployed through ARM may name any); rows always pass through unchanged.
  std::string transform_kql = "source";
};

/// The parts of a data collection rule's ARM resource id
/// (/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Insights/dataCollectionRules/{name}),
/// or of a workspace's (…/providers/Microsoft.OperationalInsights/workspaces/{name}).
struct DcrResourceId {
  std::string subscription;
  std::string resource_group;
  std::string name;
};

struct RateLimits {
  std::int64_t requests_per_minute = 0;  // 0: unlimited
  std::int64_t bytes_per_minute = 0;
};

struct DataCollectionRule {
  std::string immutable_id;
  /// The ARM id; default: subscription 0…0, resource group "emulator", name = immutable id.
  std::string resource_id;
  DcrResourceId resource;  // its parts
  std::string location = "eastus";
  std::string workspace_resource_id;  // where the Log Analytics destinations point
  std::optional<std::string> tenant_id;
  /// Object ids (or client ids) allowed to read the rule through ARM; absent:
  /// any authenticated principal of the rule's tenant.
  std::optional<std::vector<std::string>> readers;
  /// Principals (client id or object id) holding Monitoring Metrics
  /// Publisher on the rule; empty: any authenticated caller, unless publishers_closed.
  std::vector<std::string> publishers;
  /// True for a rule deployed through ARM: nobody may ingest until a role assignment
  /// (Monitoring Metrics Publisher) grants it, whatever `publishers` holds.
  bool publishers_closed = false;
  std::map<std::string, StreamDeclaration> streams;
  std::vector<DataFlow> data_flows;
  RateLimits rate_limits;
};

/// A table the configuration declares in a workspace (before any data arrives).
struct DeclaredTable {
  std::string name;
  TableSubType sub_type = TableSubType::DataCollectionRuleBased;
  std::vector<StoredColumn> columns;
};

struct Workspace {
  std::string id;
  std::vector<std::string> shared_keys;  // base64
  /// The workspace's ARM id (/subscriptions/…/providers/Microsoft.OperationalInsights/
  /// workspaces/{name}); empty: not reachable through the Tables API or as a DCR destination.
  std::string resource_id;
  DcrResourceId resource;  // its parts, when resource_id is set
  std::optional<std::string> tenant_id;
  /// Object ids or client ids holding Log Analytics Contributor on the workspace (allowed to
  /// write and migrate tables); absent: any authenticated principal of the tenant.
  std::optional<std::vector<std::string>> table_writers;
  std::vector<DeclaredTable> tables;
};

struct LogsIngestionSettings {
  std::vector<std::string> audiences;  // accepted "aud" values
  std::vector<std::string> api_versions = {"2023-01-01", "2021-11-01-preview", "2023-04-01-preview"};
  bool reject_type_mismatch = true;    // false: store null, as a lenient service would
  bool reject_non_array_body = true;   // false: answer 204 and store nothing
  bool replace_out_of_range_time_generated = false;
  std::size_t max_body_bytes = 1048576;
};

/// The Azure Resource Manager read of a rule (GET …/dataCollectionRules/{name}).
struct ArmSettings {
  /// Accepted "aud" values; default: the cloud's management resources.
  std::vector<std::string> audiences;
  /// Those of Microsoft.Insights/dataCollectionRules in Azure/azure-rest-api-specs.
  std::vector<std::string> api_versions = {"2024-03-11", "2023-03-11",
                                           "2022-06-01", "2021-09-01-preview",
                                           "2021-04-01", "2019-11-01-preview"};
  /// Those of Microsoft.OperationalInsights/workspaces/tables (Tables - Get, Create Or Update,
  /// Migrate): the stable 2022-10-01, 2023-09-01, 2025-02-01 and 2025-07-01, and the
  /// 2021-12-01-preview REFERENCE §9.3 quotes for Migrate.
  std::vector<std::string> table_api_versions = {"2022-10-01", "2023-09-01", "2025-02-01",
                                                 "2025-07-01", "2021-12-01-preview"};
  /// Those of Microsoft.Authorization/roleAssignments the emulator accepts.
  std::vector<std::string> role_assignment_api_versions = {"2022-04-01", "2022-01-01-preview",
                                                           "2020-04-01-preview"};
};

struct DataCollectorSettings {
  std::size_t max_body_bytes = 30000000;
  std::int64_t max_date_skew_seconds = 900;
  std::size_t max_value_bytes = 32768;
};

struct Config {
  std::string cloud = "public";
  std::vector<std::string> known_resources;
  std::int64_t token_lifetime_seconds = 3599;
  std::int64_t imds_token_lifetime_seconds = 86399;
  std::int64_t assertion_leeway_seconds = 300;
  std::optional<std::string> signing_key_path;
  std::size_t request_log_size = 2000;
  LogsIngestionSettings logs_ingestion;
  ArmSettings arm;
  DataCollectorSettings data_collector;
  std::vector<Tenant> tenants;
  std::vector<ManagedIdentity> managed_identities;
  std::vector<DataCollectionRule> dcrs;
  std::vector<Workspace> workspaces;
  std::vector<FaultRule> faults;

  const Tenant* find_tenant(const std::string& id_or_domain) const;
  const DataCollectionRule* find_dcr(const std::string& immutable_id) const;
  /// The rule with this ARM resource id, compared without regard to case as ARM does.
  const DataCollectionRule* find_dcr_by_resource_id(std::string_view resource_id) const;
  const Workspace* find_workspace(const std::string& id) const;
  /// The workspace with this ARM id, compared without regard to case.
  const Workspace* find_workspace_by_resource_id(std::string_view resource_id) const;
};

/// Parses configuration text; relative paths resolve against `base_dir`.
Config parse_config(const std::string& text, const std::string& base_dir);
Config load_config_file(const std::string& path);
/// The configuration used without --config: no tenants, no rules.
Config default_config();

/// The per-cloud defaults: accepted ingestion and ARM audiences, known resources.
void apply_cloud_defaults(Config& config);

/// "Microsoft-AWSGuardDuty" → "AWSGuardDuty"; "Custom-X_CL" → "X_CL".
std::string table_of_output_stream(const std::string& output_stream);

/// Columns of a `gd2sentinel schema --format json` document
/// ({"name","table","columns":[{"name","type","description"}]}).
std::vector<StoredColumn> columns_of_schema(const std::string& schema_json, std::string* table);

/// Splits a data collection rule's ARM id; the fixed segments compare without
/// regard to case. With `validate`, also checks the subscription (a GUID), the
/// resource group (1–90 letters, digits, '_', '-', '.', '(', ')', not ending in
/// '.') and the name (1–260 of the same). On failure returns nullopt and says why.
std::optional<DcrResourceId> parse_dcr_resource_id(std::string_view id, bool validate,
                                                   std::string* why);

/// Splits a workspace's ARM id (/subscriptions/{GUID}/resourceGroups/{group}/providers/
/// Microsoft.OperationalInsights/workspaces/{name}) as parse_dcr_resource_id does; with
/// `validate` the name has 4–63 letters, digits and '-', not first or last.
std::optional<DcrResourceId> parse_workspace_resource_id(std::string_view id, bool validate,
                                                         std::string* why);

/// ASCII case-insensitive equality (ARM compares ids this way).
bool iequals(std::string_view a, std::string_view b);

}  // namespace wsemu
