// Leaving the Logstash + Data Collector API pipeline, end to end, against the stand-ins: the
// classic AWSGuardDuty_CL that Logstash's output filled, `migrate logstash`, `check`, `migrate
// table`, gd2sentinel's rule deployed from `azure-template --existing-table`, and the run that
// backfills what the old pipeline never shipped. And the column fidelity of the legacy schema:
// for every sample finding, the columns gd2sentinel writes are the ones the Data Collector API
// made of the same finding as Logstash posted it.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "azure/azure_auth.h"
#include "core/base64.h"
#include "core/time.h"
#include "http/curl_client.h"
#include "sinks/data_collector/sink.h"
#include "support/aws_standin.h"
#include "support/test_support.h"
#include "support/workspace_emulator.h"

namespace gd2s {
namespace {

namespace fs = std::filesystem;
using test::AwsStandin;
using test::WorkspaceEmulator;

// tools/workspace-emulator/config/logstash-migration.json
constexpr const char* kWorkspaceId = "7e1c2a4b-0000-4000-8000-000000000009";
constexpr const char* kSubscription = "6a1e3f0b-0000-4000-8000-000000000007";
constexpr const char* kWorkspaceResourceId =
    "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-test/"
    "providers/Microsoft.OperationalInsights/workspaces/sentinel";
constexpr const char* kAppObjectId = "5b3f7c2e-0000-4000-8000-000000000003";
constexpr const char* kBucket = "guardduty-exports";

std::string compact(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc)) throw std::runtime_error("not JSON: " + json.substr(0, 80));
  return simdjson::minify(doc);
}

std::string string_member(const std::string& json, const char* name) {
  simdjson::dom::parser parser;
  std::string_view value;
  if (parser.parse(json)[name].get(value)) return "";
  return std::string(value);
}

// The project's sample findings (every resource and action type), one compact object each.
std::vector<std::string> sample_findings() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(test::source_dir() + "/examples/src"))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& file : files) out.push_back(compact(test::read_file(file.string())));
  return out;
}

// Findings of the public corpus in ../shared/testdata that are findings (id and type).
std::vector<std::string> public_findings() {
  std::vector<std::string> out;
  if (!test::have_shared_testdata()) return out;
  for (const auto& entry : fs::directory_iterator(test::shared_testdata() + "/guardduty")) {
    if (entry.path().extension() != ".jsonl") continue;
    for (const std::string& line : test::read_lines(entry.path().string())) {
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      std::string_view id, type;
      if (parser.parse(line).get(doc) || doc["id"].get(id) || doc["type"].get(type)) continue;
      out.push_back(simdjson::minify(doc));
    }
  }
  return out;
}

// What microsoft-logstash-output-azure-loganalytics posts for events of the s3 input with codec
// json: each event as a hash (create_event_document → event.to_hash), that is the finding plus
// Logstash's own @timestamp and @version.
std::string logstash_body(const std::vector<std::string>& findings) {
  std::string body = "[";
  for (const std::string& finding : findings) {
    if (body.size() > 1) body += ',';
    body += R"({"@timestamp":"2026-09-14T10:22:41.117Z","@version":"1",)" + finding.substr(1);
  }
  return body + "]";
}

class DataCollectorPoster {
 public:
  DataCollectorPoster(const WorkspaceEmulator& emulator, std::string workspace, std::string key)
      : url_(emulator.url() + "/api/logs?api-version=2016-04-01"),
        workspace_(std::move(workspace)),
        key_(std::move(key)) {
    http::HttpOptions options;
    options.ca_file = emulator.ca_file();
    http_ = http::make_curl_client(options);
  }
  void post(const std::string& log_type, const std::string& body) {
    std::string date =
        format_rfc1123(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    std::string key = *base64_decode(key_);
    http::Response r =
        http_->send({"POST",
                     url_,
                     {{"Content-Type", "application/json"},
                      {"Log-Type", log_type},
                      {"x-ms-date", date},
                      {"Authorization", "SharedKey " + workspace_ + ":" +
                                            shared_key_signature(key, body.size(), date)}},
                     body,
                     std::chrono::seconds(30)});
    ASSERT_EQ(r.status, 200) << r.body;
  }

 private:
  std::string url_, workspace_, key_;
  http::HttpClientPtr http_;
};

// The emulator's Resource Manager, signed in as the test application (a deployment by a person
// with Monitoring Contributor, in real life).
class ResourceManagerClient {
 public:
  explicit ResourceManagerClient(const WorkspaceEmulator& emulator) : base_(emulator.url()) {
    http::HttpOptions options;
    options.ca_file = emulator.ca_file();
    http_ = http::make_curl_client(options);
    azure::AzureAuthOptions auth = emulator.client_secret_auth();
    auth.scope = "https://management.azure.com/.default";
    tokens_ = azure::make_token_provider(auth, http_);
  }
  http::Response call(const std::string& method, const std::string& path_and_query,
                      const std::string& body = "") {
    return http_->send({method,
                        base_ + path_and_query,
                        {{"Authorization", "Bearer " + tokens_->token().value.reveal()},
                         {"Content-Type", "application/json"}},
                        body,
                        std::chrono::seconds(30)});
  }

 private:
  std::string base_;
  http::HttpClientPtr http_;
  azure::TokenProviderPtr tokens_;
};

// The rule of `gd2sentinel azure-template --schema legacy --existing-table` as ARM would PUT it:
// the template's expressions for the workspace and its location resolved.
std::string rule_body_from_template() {
  test::ProcessResult t =
      test::run_binary({"azure-template", "--schema", "legacy", "--existing-table"});
  if (t.status != 0) throw std::runtime_error("azure-template failed: " + t.err);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array resources;
  if (parser.parse(t.out).get(doc) || doc["resources"].get(resources))
    throw std::runtime_error("azure-template printed no resources");
  for (simdjson::dom::element resource : resources) {
    std::string_view type;
    if (resource["type"].get(type) || type != "Microsoft.Insights/dataCollectionRules") continue;
    std::string properties = simdjson::minify(resource["properties"]);
    const std::string expression =
        "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName'))]";
    size_t at = properties.find(expression);
    if (at == std::string::npos) throw std::runtime_error("the rule names no workspace");
    properties.replace(at, expression.size(), kWorkspaceResourceId);
    return R"({"location":"eastus","kind":"Direct","properties":)" + properties + "}";
  }
  throw std::runtime_error("azure-template printed no data collection rule");
}

std::string shared_key_of_migration_workspace() {
  std::string config = test::read_file(test::source_dir() +
                                       "/tools/workspace-emulator/config/logstash-migration.json");
  simdjson::dom::parser parser;
  simdjson::dom::array workspaces;
  if (parser.parse(config)["workspaces"].get(workspaces))
    throw std::runtime_error("logstash-migration.json has no workspaces");
  for (simdjson::dom::element workspace : workspaces) {
    std::string_view id, key;
    if (workspace["id"].get(id) || id != kWorkspaceId) continue;
    if (!workspace["shared_key"].get(key)) return std::string(key);
    simdjson::dom::array keys;
    if (!workspace["shared_keys"].get(keys) && keys.size() > 0 && !keys.at(0).get(key))
      return std::string(key);
  }
  throw std::runtime_error("logstash-migration.json has no key for workspace " +
                           std::string(kWorkspaceId));
}

// Replaces the first occurrence of `from` in the file; the test needs it there.
void replace_in_file(const std::string& path, const std::string& from, const std::string& to) {
  std::string text = test::read_file(path);
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << "no `" << from << "` in " << path << ":\n" << text;
  text.replace(at, from.size(), to);
  test::write_file(path, text);
}

struct StoredRow {
  std::string json;
  std::string id;
  std::string updated;
};

std::vector<StoredRow> table_rows(WorkspaceEmulator& emulator, const std::string& table) {
  std::vector<StoredRow> out;
  for (const std::string& row : emulator.rows(table))
    out.push_back({row, string_member(row, "id_s"), string_member(row, "updatedAt_t")});
  return out;
}

std::string time_key(const std::string& iso) {
  auto t = parse_iso8601(iso);
  return t ? format_iso8601(*t) : iso;
}

class LeavingLogstash : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("AWS_ACCESS_KEY_ID", AwsStandin::kAccessKeyId, 1);
    setenv("AWS_SECRET_ACCESS_KEY", AwsStandin::kSecretAccessKey, 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AZURE_CLIENT_SECRET", WorkspaceEmulator::kClientSecret, 1);
  }
  void TearDown() override {
    for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AZURE_CLIENT_SECRET",
                             "LOGSTASH_S3_ENDPOINT"})
      unsetenv(name);
  }
  test::TempDir dir_;
};

TEST_F(LeavingLogstash, OldAndNewRowsShareTheClassicTableWithNoFindingMissingOrTwice) {
  AwsStandin standin;
  WorkspaceEmulator emulator(WorkspaceEmulator::ConfigFile{"logstash-migration.json"});
  const std::vector<std::string> findings = sample_findings();
  ASSERT_GE(findings.size(), 20u);
  const size_t shipped = findings.size() / 2;  // Logstash read these before it was stopped

  // The bucket as GuardDuty filled it: four export objects. The first two were read by Logstash
  // (the sincedb holds the second one's LastModified); the other two came while nothing ran.
  standin.create_bucket(kBucket);
  struct Export {
    std::string key, last_modified;
    size_t from, to;
  };
  const std::string base = "AWSLogs/111122223333/GuardDuty/us-east-1/2026/09/";
  const size_t half_old = shipped / 2, half_new = shipped + (findings.size() - shipped) / 2;
  const std::vector<Export> exports = {
      {base + "13/0b3c7a52-old-1.jsonl.gz", "2026-09-13T22:05:10Z", 0, half_old},
      {base + "14/5d1e9f04-old-2.jsonl.gz", "2026-09-14T10:22:33Z", half_old, shipped},
      {base + "14/8a2f6c19-new-1.jsonl.gz", "2026-09-14T10:22:34Z", shipped, half_new},
      {base + "21/c7e40d88-new-2.jsonl.gz", "2026-09-21T04:00:00Z", half_new, findings.size()},
  };
  for (const Export& e : exports) {
    std::string lines;
    for (size_t i = e.from; i < e.to; ++i) lines += findings[i] + "\n";
    standin.put_object(kBucket, e.key, test::gzip(lines));
    standin.set_last_modified(kBucket, e.key, e.last_modified);
  }

  // The old pipeline: Logstash's output posted the first two objects' events to the Data
  // Collector API, which made the classic table; its sincedb says where it stopped.
  DataCollectorPoster logstash(emulator, kWorkspaceId, shared_key_of_migration_workspace());
  logstash.post("AWSGuardDuty", logstash_body(std::vector<std::string>(
                                    findings.begin(), findings.begin() + half_old)));
  logstash.post("AWSGuardDuty", logstash_body(std::vector<std::string>(
                                    findings.begin() + half_old, findings.begin() + shipped)));
  ASSERT_EQ(emulator.row_count("AWSGuardDuty_CL"), static_cast<int64_t>(shipped));
  const std::string sincedb = dir_.file("sincedb_guardduty");
  test::write_file(sincedb, "2026-09-14 10:22:33 UTC\n");

  const std::string pipeline = dir_.file("guardduty.conf");
  setenv("LOGSTASH_S3_ENDPOINT", standin.endpoint().c_str(), 1);
  test::write_file(pipeline, R"(# GuardDuty findings from the export bucket to Sentinel
input {
  s3 {
    bucket => ")" + std::string(kBucket) +
                                 R"("
    region => "us-east-1"
    access_key_id => "${AWS_ACCESS_KEY_ID}"
    secret_access_key => "${AWS_SECRET_ACCESS_KEY}"
    endpoint => "${LOGSTASH_S3_ENDPOINT}"
    additional_settings => { "force_path_style" => true }
    sincedb_path => ")" + sincedb +
                                 R"("
    codec => "json"
  }
}
output {
  microsoft-logstash-output-azure-loganalytics {
    workspace_id => ")" + std::string(kWorkspaceId) +
                                 R"("
    workspace_key => "${LA_WORKSPACE_KEY}"
    custom_log_table_name => "AWSGuardDuty"
    plugin_flush_interval => 5
  }
}
)");

  // 1. migrate logstash: the config, before the rule exists.
  const std::string config = dir_.file("gd2sentinel.toml");
  test::ProcessResult migrated =
      test::run_binary({"migrate", "logstash", "--logstash-config", pipeline, "--output", config,
                        "--workspace-resource-id", kWorkspaceResourceId, "--tenant-id",
                        WorkspaceEmulator::kTenant, "--client-id", WorkspaceEmulator::kClientId});
  ASSERT_EQ(migrated.status, 0) << migrated.out << migrated.err;
  EXPECT_NE(migrated.out.find("migrate table"), std::string::npos) << migrated.out;
  EXPECT_NE(test::read_file(config).find("modified_after = \"2026-09-14T10:22:33Z\""),
            std::string::npos)
      << test::read_file(config);
  // Where this machine differs from a production host: the stand-ins' addresses and CA, and
  // private folders for the state and the dead letters.
  auto localise = [&] {
    replace_in_file(config, "/var/lib/gd2sentinel/state.db", dir_.file("state.db"));
    replace_in_file(config, "/var/lib/gd2sentinel/dead-letters.jsonl",
                    dir_.file("dead-letters.jsonl"));
    replace_in_file(config, "[azure]\n",
                    "[azure]\nauthority_host = \"" + emulator.url() + "\"\nresource_manager = \"" +
                        emulator.url() + "\"\n");
    std::string text = test::read_file(config);
    test::write_file(config, text + "\n[http]\nca_file = \"" + emulator.ca_file() + "\"\n");
  };
  localise();

  // 2. check names the classic table and the command that fixes it.
  test::ProcessResult before = test::run_binary({"check", "--config", config});
  EXPECT_EQ(before.status, 1) << before.out << before.err;
  EXPECT_NE(before.out.find("✗ table AWSGuardDuty_CL: a classic table"), std::string::npos)
      << before.out;
  EXPECT_NE(before.out.find("gd2sentinel migrate table --config"), std::string::npos);

  // Azure refuses gd2sentinel's rule while the table is classic.
  ResourceManagerClient arm(emulator);
  const std::string rule_id = "/subscriptions/" + std::string(kSubscription) +
                              "/resourceGroups/gd2sentinel-test/providers/Microsoft.Insights/"
                              "dataCollectionRules/gd2sentinel-guardduty-legacy";
  const std::string rule = rule_body_from_template();
  http::Response refused = arm.call("PUT", rule_id + "?api-version=2023-03-11", rule);
  EXPECT_EQ(refused.status, 400) << refused.body;

  // 3. migrate table: classic → DCR-based, the missing columns added, rows kept.
  test::ProcessResult table = test::run_binary({"migrate", "table", "--config", config});
  ASSERT_EQ(table.status, 0) << table.out << table.err;
  EXPECT_NE(table.out.find("migrated AWSGuardDuty_CL to a DCR-based table"), std::string::npos)
      << table.out;
  EXPECT_EQ(emulator.row_count("AWSGuardDuty_CL"), static_cast<int64_t>(shipped));
  http::Response read = arm.call(
      "GET", std::string(kWorkspaceResourceId) + "/tables/AWSGuardDuty_CL?api-version=2022-10-01");
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_NE(read.body.find(R"("tableSubType":"DataCollectionRuleBased")"), std::string::npos);
  test::ProcessResult again = test::run_binary({"migrate", "table", "--config", config});
  EXPECT_EQ(again.status, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("already DCR-based"), std::string::npos) << again.out;

  // 4. The rule and its role, as the template deploys them.
  http::Response deployed = arm.call("PUT", rule_id + "?api-version=2023-03-11", rule);
  ASSERT_EQ(deployed.status / 100, 2) << deployed.body;
  simdjson::dom::parser parser;
  simdjson::dom::element deployed_rule;
  std::string_view immutable_id, endpoint;
  ASSERT_FALSE(parser.parse(deployed.body).get(deployed_rule));
  ASSERT_FALSE(deployed_rule["properties"]["immutableId"].get(immutable_id));
  ASSERT_FALSE(deployed_rule["properties"]["endpoints"]["logsIngestion"].get(endpoint));
  http::Response role = arm.call(
      "PUT",
      rule_id +
          "/providers/Microsoft.Authorization/roleAssignments/"
          "4d0c7f2e-0000-4000-8000-00000000000a?api-version=2022-04-01",
      std::string(R"({"properties":{"roleDefinitionId":"/subscriptions/)") + kSubscription +
          R"(/providers/Microsoft.Authorization/roleDefinitions/3913510d-42f4-4e42-8a64-420c390055eb","principalId":")" +
          kAppObjectId + R"(","principalType":"ServicePrincipal"}})");
  ASSERT_EQ(role.status / 100, 2) << role.body;

  // 5. migrate logstash again with the deployment's outputs: a complete config.
  test::ProcessResult complete = test::run_binary(
      {"migrate", "logstash", "--logstash-config", pipeline, "--output", config, "--force",
       "--workspace-resource-id", kWorkspaceResourceId, "--tenant-id", WorkspaceEmulator::kTenant,
       "--client-id", WorkspaceEmulator::kClientId, "--endpoint", std::string(endpoint),
       "--dcr-immutable-id", std::string(immutable_id)});
  ASSERT_EQ(complete.status, 0) << complete.out << complete.err;
  localise();
  test::ProcessResult ready = test::run_binary({"check", "--config", config});
  EXPECT_EQ(ready.status, 0) << ready.out << ready.err;
  EXPECT_NE(ready.out.find("✓ table AWSGuardDuty_CL is DCR-based"), std::string::npos) << ready.out;

  // 6. The run backfills what came after the sincedb, and nothing before it.
  test::ProcessResult run = test::run_binary({"run", "--once", "--config", config});
  ASSERT_EQ(run.status, 0) << run.out << run.err;

  std::vector<StoredRow> rows = table_rows(emulator, "AWSGuardDuty_CL");
  std::map<std::string, int> seen;  // finding version → rows
  for (const StoredRow& row : rows) ++seen[row.id + "@" + time_key(row.updated)];
  std::map<std::string, int> expected;
  for (const std::string& finding : findings)
    ++expected[string_member(finding, "id") + "@" + time_key(string_member(finding, "updatedAt"))];
  EXPECT_EQ(seen, expected) << "every finding version exactly once, old rows and new";
  EXPECT_EQ(rows.size(), findings.size());

  // The seed query's columns are there in old and new rows alike (service.resourceRole only
  // where the finding has one: Malware Protection findings do not).
  std::set<std::string> with_role;
  for (const std::string& finding : findings) {
    simdjson::dom::element f;
    ASSERT_FALSE(parser.parse(finding).get(f));
    if (!f["service"]["resourceRole"].error())
      with_role.insert(string_member(finding, "id") + "@" +
                       time_key(string_member(finding, "updatedAt")));
  }
  size_t old_rows = 0;
  for (const StoredRow& row : rows) {
    simdjson::dom::element parsed;
    ASSERT_FALSE(parser.parse(row.json).get(parsed));
    if (parsed["SeverityLabel_s"].error())
      ++old_rows;  // the Data Collector API made no such column
    double severity = 0;
    EXPECT_FALSE(parsed["Severity"].get(severity)) << row.json;
    for (const char* column : {"TimeGenerated", "type_s", "title_s", "resource_resourceType_s"})
      EXPECT_FALSE(parsed[column].error()) << column << " missing in " << row.json;
    EXPECT_EQ(!parsed["service_resourceRole_s"].error(),
              with_role.count(row.id + "@" + time_key(row.updated)) == 1)
        << row.json;
  }
  EXPECT_EQ(old_rows, shipped) << "the rows Logstash wrote stay as they were";
}

TEST_F(LeavingLogstash, LegacyRowsCarryTheColumnsTheDataCollectorMadeOfEachFinding) {
  WorkspaceEmulator emulator;
  std::vector<std::string> findings = sample_findings();
  std::vector<std::string> more = public_findings();
  if (more.empty()) std::printf("../shared/testdata is absent: the project's samples only\n");
  findings.insert(findings.end(), more.begin(), more.end());

  // The old way: Logstash's output posts each finding, the Data Collector API names the columns.
  DataCollectorPoster logstash(emulator, WorkspaceEmulator::kWorkspaceId,
                               WorkspaceEmulator::kSharedKey);
  for (size_t i = 0; i < findings.size(); i += 50)
    logstash.post("LogstashGuardDuty",
                  logstash_body(std::vector<std::string>(
                      findings.begin() + i, findings.begin() + std::min(findings.size(), i + 50))));

  // The new way: gd2sentinel's legacy rows through the Logs Ingestion API.
  std::string lines;
  for (const std::string& finding : findings) lines += finding + "\n";
  test::write_file(dir_.file("findings.jsonl"), lines);
  const std::string config = dir_.file("legacy.toml");
  test::write_file(
      config, "[source.files]\npaths = [\"" + dir_.file("findings.jsonl") +
                  "\"]\n[transform]\nschema = \"legacy\"\ndrop_sample = false\n"
                  "drop_archived = false\ndedupe_window = \"0s\"\n"
                  "[sink.logs_ingestion]\nendpoint = \"" +
                  emulator.url() + "\"\ndcr_immutable_id = \"" + WorkspaceEmulator::kDcr +
                  "\"\nstream = \"" + WorkspaceEmulator::kLegacyStream +
                  "\"\n[azure]\nauth = \"client_secret\"\ntenant_id = \"" +
                  WorkspaceEmulator::kTenant + "\"\nclient_id = \"" + WorkspaceEmulator::kClientId +
                  "\"\nclient_secret = \"env:AZURE_CLIENT_SECRET\"\n"
                  "authority_host = \"" +
                  emulator.url() + "\"\n[http]\nca_file = \"" + emulator.ca_file() +
                  "\"\n[state]\npath = \"" + dir_.file("state.db") +
                  "\"\n[dead_letter]\npath = \"" + dir_.file("dead.jsonl") + "\"\n");
  test::ProcessResult run = test::run_binary({"run", "--once", "--config", config});
  ASSERT_EQ(run.status, 0) << run.out << run.err;

  std::map<std::string, std::string> old_rows, new_rows;  // by finding version
  for (const std::string& row : emulator.rows("LogstashGuardDuty_CL"))
    old_rows[string_member(row, "id_s") + "@" + time_key(string_member(row, "updatedAt_t"))] = row;
  for (const std::string& row : emulator.rows("AWSGuardDuty_CL"))
    new_rows[string_member(row, "id_s") + "@" + time_key(string_member(row, "updatedAt_t"))] = row;
  ASSERT_EQ(old_rows.size(), new_rows.size());

  // Logstash's own fields (its processing time and event version), not the finding's.
  const std::set<std::string> logstash_only = {"TimeGenerated", "_timestamp_t", "_version_s"};
  size_t compared = 0;
  simdjson::dom::parser old_parser, new_parser;
  for (const auto& [version, old_json] : old_rows) {
    auto found = new_rows.find(version);
    ASSERT_NE(found, new_rows.end()) << version << " has no gd2sentinel row";
    simdjson::dom::object old_row, new_row;
    ASSERT_FALSE(old_parser.parse(old_json).get(old_row));
    ASSERT_FALSE(new_parser.parse(found->second).get(new_row));
    simdjson::dom::object additional;
    bool has_additional = !new_row["AdditionalFields"].get(additional);
    for (auto [key, old_value] : old_row) {
      const std::string column(key);
      if (logstash_only.count(column)) continue;
      simdjson::dom::element new_value;
      if (new_row[column].get(new_value)) {
        // Not a declared column of the table: kept in AdditionalFields under the same name.
        ASSERT_TRUE(has_additional && !additional[column].get(new_value))
            << version << ": " << column << " is neither a column nor in AdditionalFields";
      }
      if (old_value.is_number()) {
        // A _d column is a real; in AdditionalFields (dynamic) a whole number stays whole.
        double a = 0, b = 0;
        ASSERT_TRUE(new_value.is_number()) << version << ": " << column;
        ASSERT_FALSE(old_value.get(a));
        ASSERT_FALSE(new_value.get(b));
        EXPECT_EQ(a, b) << version << ": " << column << " " << simdjson::minify(old_value) << " vs "
                        << simdjson::minify(new_value);
        ++compared;
        continue;
      }
      ASSERT_EQ(old_value.type(), new_value.type()) << version << ": " << column;
      if (column.ends_with("_t")) {
        std::string_view a, b;
        ASSERT_FALSE(old_value.get(a));
        ASSERT_FALSE(new_value.get(b));
        EXPECT_EQ(time_key(std::string(a)), time_key(std::string(b))) << version << ": " << column;
      } else {
        EXPECT_EQ(simdjson::minify(old_value), simdjson::minify(new_value))
            << version << ": " << column;
      }
      ++compared;
    }
  }
  EXPECT_GT(compared, findings.size() * 20);
  std::printf("compared %zu values of %zu findings\n", compared, findings.size());
}

}  // namespace
}  // namespace gd2s
