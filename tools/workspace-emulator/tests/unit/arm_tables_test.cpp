// The Tables API of a workspace, the deployment of rules and role assignments through ARM,
// served in-process (plain HTTP; the emulator registers the same handlers on its HTTPS
// server): table sub-types as configured, the api-versions of tables, 400/401/403/404
// answers, a rule refused for a Classic output table, Monitoring Metrics Publisher, injected
// faults; and the sub-types the emulator gives tables at start.
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <thread>

#include "config.h"
#include "crypto.h"
#include "emulator.h"
#include "handlers.h"
#include "time_util.h"

namespace wsemu {
namespace {

constexpr const char* kTenant = "3d6f7a21-0000-4000-8000-000000000001";
constexpr const char* kOtherTenant = "8f2c1d3e-0000-4000-8000-000000000009";
constexpr const char* kWriter = "5b3f7c2e-0000-4000-8000-000000000003";
constexpr const char* kReader = "5b3f7c2e-0000-4000-8000-0000000000b0";
constexpr const char* kWorkspace =
    "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-test/"
    "providers/Microsoft.OperationalInsights/workspaces/sentinel";
constexpr const char* kRuleGroup =
    "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-test/"
    "providers/Microsoft.Insights/dataCollectionRules/";
constexpr const char* kPublisherRole =
    "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/providers/Microsoft.Authorization/"
    "roleDefinitions/3913510d-42f4-4e42-8a64-420c390055eb";

const char* const kConfig = R"({
  "dcrs": [{
    "immutable_id": "dcr-00000000000000000000000000000001",
    "resource_id": "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-test/providers/Microsoft.Insights/dataCollectionRules/configured",
    "stream_declarations": {"Custom-S": {"columns": [{"name": "Title_s", "type": "string"}]}},
    "data_flows": [{"streams": ["Custom-S"], "output_stream": "Custom-New_CL"}]
  }],
  "workspaces": [{
    "id": "7e1c2a4b-0000-4000-8000-000000000009", "shared_key": "a2V5",
    "resource_id": "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-test/providers/Microsoft.OperationalInsights/workspaces/sentinel",
    "tenant": "3d6f7a21-0000-4000-8000-000000000001",
    "table_writers": ["5b3f7c2e-0000-4000-8000-000000000003"],
    "tables": [
      {"name": "Old_CL", "sub_type": "Classic",
       "columns": [{"name": "type_s", "type": "string"}, {"name": "Severity", "type": "real"}, {"name": "id_g", "type": "guid"}]},
      {"name": "New_CL", "columns": [{"name": "TimeGenerated", "type": "datetime"}, {"name": "Count_d", "type": "real"}]}
    ]
  }]
})";

struct Answer {
  int status = 0;
  rapidjson::Document body;
  std::string text;
  httplib::Headers headers;
  std::string code() const {
    return body.IsObject() && body.HasMember("error") ? body["error"]["code"].GetString() : "";
  }
  std::string message() const {
    return body.IsObject() && body.HasMember("error") ? body["error"]["message"].GetString() : "";
  }
};

class ArmTablesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    emulator_ = new Emulator(parse_config(kConfig, ""), generate_rsa_key(2048), ":memory:");
    server_ = new httplib::Server;
    register_arm(*server_, *emulator_);
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    emulator_->https_url = "https://127.0.0.1:" + std::to_string(port_);
    thread_ = new std::thread([] { server_->listen_after_bind(); });
  }
  static void TearDownTestSuite() {
    server_->stop();
    thread_->join();
    delete thread_;
    delete server_;
    delete emulator_;
  }
  void SetUp() override { emulator_->faults.clear(); }

  static std::string token(const std::string& object_id = kWriter,
                           const std::string& tenant = kTenant) {
    AccessTokenClaims claims;
    claims.tenant_id = tenant;
    claims.audience = "https://management.azure.com";
    claims.app_id = "0e9c4d1a-0000-4000-8000-000000000002";
    claims.object_id = object_id;
    claims.app_id_acr = "1";
    return emulator_->signer.issue(claims, now_epoch_seconds());
  }

  static Answer call(const std::string& method, const std::string& path, const std::string& query,
                     const std::string& body = "", const std::string& bearer = token()) {
    httplib::Client client("127.0.0.1", port_);
    httplib::Headers headers{{"Authorization", "Bearer " + bearer},
                             {"x-ms-correlation-request-id", "corr-1"}};
    const std::string target = path + query;
    httplib::Result result = method == "GET" ? client.Get(target.c_str(), headers)
                             : method == "PUT"
                                 ? client.Put(target.c_str(), headers, body, "application/json")
                                 : client.Post(target.c_str(), headers, body, "application/json");
    Answer answer;
    if (!result) return answer;
    answer.status = result->status;
    answer.headers = result->headers;
    answer.text = result->body;
    answer.body.Parse(result->body.c_str());
    return answer;
  }

  static std::string rule_body(const std::string& output, const std::string& workspace = kWorkspace,
                               const std::string& stream = "Custom-X") {
    return R"({"location":"eastus","kind":"Direct","properties":{
        "streamDeclarations":{"Custom-X":{"columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"Count_d","type":"real"}]}},
        "destinations":{"logAnalytics":[{"workspaceResourceId":")" +
           workspace + R"(","name":"sentinel"}]},
        "dataFlows":[{"streams":[")" +
           stream + R"("],"destinations":["sentinel"],"transformKql":"source","outputStream":")" +
           output + R"("}]}})";
  }

  static Emulator* emulator_;
  static httplib::Server* server_;
  static std::thread* thread_;
  static int port_;
};
Emulator* ArmTablesTest::emulator_ = nullptr;
httplib::Server* ArmTablesTest::server_ = nullptr;
std::thread* ArmTablesTest::thread_ = nullptr;
int ArmTablesTest::port_ = 0;

const std::string kTables = std::string(kWorkspace) + "/tables/";
const std::string kTableVersion = "?api-version=2022-10-01";

TEST_F(ArmTablesTest, AnswersADeclaredTableWithItsSubTypeAndColumns) {
  Answer answer = call("GET", kTables + "Old_CL", kTableVersion);
  ASSERT_EQ(answer.status, 200) << answer.text;
  EXPECT_EQ(answer.headers.find("x-ms-correlation-request-id")->second, "corr-1");
  const auto& schema = answer.body["properties"]["schema"];
  EXPECT_STREQ(schema["tableSubType"].GetString(), "Classic");
  EXPECT_STREQ(schema["tableType"].GetString(), "CustomLog");
  EXPECT_STREQ(answer.body["id"].GetString(), (kTables + "Old_CL").c_str());
  std::vector<std::pair<std::string, std::string>> columns;
  for (const auto& c : schema["columns"].GetArray()) {
    columns.emplace_back(c["name"].GetString(), c["type"].GetString());
  }
  EXPECT_EQ(columns, (std::vector<std::pair<std::string, std::string>>{
                         {"type_s", "string"}, {"Severity", "real"}, {"id_g", "guid"}}));
  EXPECT_EQ(schema["standardColumns"].Size(), 5u);
  // Fixed segments and the table name in any case; any principal of the tenant reads.
  answer =
      call("GET",
           "/SUBSCRIPTIONS/6a1e3f0b-0000-4000-8000-000000000007/resourcegroups/gd2sentinel-test/"
           "providers/microsoft.operationalinsights/WORKSPACES/sentinel/TABLES/new_cl",
           "?api-version=2025-07-01", "", token(kReader));
  ASSERT_EQ(answer.status, 200) << answer.text;
  EXPECT_STREQ(answer.body["properties"]["schema"]["tableSubType"].GetString(),
               "DataCollectionRuleBased");
  EXPECT_STREQ(answer.body["name"].GetString(), "New_CL");
}

TEST_F(ArmTablesTest, RequiresATablesApiVersion) {
  Answer answer = call("GET", kTables + "Old_CL", "?api-version=2023-03-11");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.code(), "InvalidApiVersionParameter");
  EXPECT_EQ(answer.message(),
            "The api-version '2023-03-11' is invalid. The supported versions are "
            "'2022-10-01,2023-09-01,2025-02-01,2025-07-01,2021-12-01-preview'.");
  EXPECT_EQ(call("GET", kTables + "Old_CL", "").code(), "MissingApiVersionParameter");
  EXPECT_EQ(call("POST", kTables + "Old_CL/migrate", "?api-version=2024-03-11").code(),
            "InvalidApiVersionParameter");
}

TEST_F(ArmTablesTest, AnswersUnknownWorkspacesTablesAndTenantsAsArmDoes) {
  Answer answer =
      call("GET",
           "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-test/"
           "providers/Microsoft.OperationalInsights/workspaces/other/tables/Old_CL",
           kTableVersion);
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.code(), "ResourceNotFound");
  EXPECT_NE(answer.message().find("'Microsoft.OperationalInsights/workspaces/other'"),
            std::string::npos);
  answer = call("GET", kTables + "Missing_CL", kTableVersion);
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.code(), "ResourceNotFound");
  EXPECT_NE(answer.message().find("The table 'Missing_CL' was not found"), std::string::npos);
  answer =
      call("GET",
           "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/gd2sentinel-test/"
           "providers/Microsoft.OperationalInsights/workspaces/sentinel/tables/Old_CL",
           kTableVersion);
  EXPECT_EQ(answer.code(), "SubscriptionNotFound");
  answer = call("GET",
                "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/other/"
                "providers/Microsoft.OperationalInsights/workspaces/sentinel/tables/Old_CL",
                kTableVersion);
  EXPECT_EQ(answer.code(), "ResourceGroupNotFound");
  answer = call("GET", kTables + "Old_CL", kTableVersion, "", token(kWriter, kOtherTenant));
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.code(), "InvalidAuthenticationTokenTenant");
}

TEST_F(ArmTablesTest, LetsOnlyTableWritersPutAndMigrate) {
  Answer answer = call("POST", kTables + "Old_CL/migrate", kTableVersion, "", token(kReader));
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(answer.code(), "AuthorizationFailed");
  EXPECT_NE(
      answer.message().find("'Microsoft.OperationalInsights/workspaces/tables/migrate/action'"),
      std::string::npos);
  answer = call("PUT", kTables + "Any_CL", kTableVersion, R"({"properties":{}})", token(kReader));
  EXPECT_EQ(answer.status, 403);
  EXPECT_NE(answer.message().find("'Microsoft.OperationalInsights/workspaces/tables/write'"),
            std::string::npos);
  EXPECT_EQ(emulator_->store.find_table("Old_CL")->sub_type, TableSubType::Classic);
}

TEST_F(ArmTablesTest, CreatesADataCollectionRuleBasedTableAndChecksItsSchema) {
  auto put = [](const std::string& table, const std::string& columns) {
    return call(
        "PUT", kTables + table, kTableVersion,
        R"({"properties":{"schema":{"name":")" + table + R"(","columns":)" + columns + R"(}}})");
  };
  EXPECT_NE(
      put("NoSuffix", R"([{"name":"TimeGenerated","type":"datetime"}])").message().find("_CL"),
      std::string::npos);
  EXPECT_NE(put("A_CL", R"([{"name":"x","type":"string"}])").message().find("TimeGenerated"),
            std::string::npos);
  EXPECT_NE(
      put("A_CL", R"([{"name":"TimeGenerated","type":"datetime"},{"name":"1x","type":"string"}])")
          .message()
          .find("'1x'"),
      std::string::npos);
  EXPECT_NE(
      put("A_CL",
          R"([{"name":"TimeGenerated","type":"datetime"},{"name":"TenantId","type":"string"}])")
          .message()
          .find("reserved"),
      std::string::npos);
  EXPECT_NE(
      put("A_CL", R"([{"name":"TimeGenerated","type":"datetime"},{"name":"x","type":"decimal"}])")
          .message()
          .find("invalid type 'decimal'"),
      std::string::npos);
  EXPECT_EQ(
      put("A_CL", R"([{"name":"TimeGenerated","type":"datetime"},{"name":"x","type":"string"}])")
          .code(),
      "");
  EXPECT_FALSE(emulator_->store.find_table("NoSuffix").has_value());
  Answer answer =
      put("A_CL", R"([{"name":"TimeGenerated","type":"dateTime"},{"name":"Id","type":"guid"}])");
  ASSERT_EQ(answer.status, 200) << answer.text;
  const auto table = emulator_->store.find_table("A_CL");
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ(table->sub_type, TableSubType::DataCollectionRuleBased);
  EXPECT_EQ(table->columns.size(), 3u);  // x is kept though the second body leaves it out
  EXPECT_EQ(put("Old_CL", R"([{"name":"TimeGenerated","type":"datetime"}])").status, 400);
}

TEST_F(ArmTablesTest, APutMayRestateAColumnTheDataCollectorNamedButNotCreateOne) {
  // A migrated table keeps what the Data Collector API made of Logstash's @timestamp.
  emulator_->store.define_table("Restated_CL",
                                {{"TimeGenerated", ColumnType::Datetime},
                                 {"_timestamp_t", ColumnType::Datetime},
                                 {"type_s", ColumnType::String}},
                                TableSubType::DataCollectionRuleBased);
  auto put = [](const std::string& columns) {
    return call("PUT", kTables + "Restated_CL", kTableVersion,
                R"({"properties":{"schema":{"name":"Restated_CL","columns":)" + columns + "}}}");
  };
  Answer restated = put(
      R"([{"name":"_timestamp_t","type":"datetime"},{"name":"type_s","type":"string"},{"name":"SeverityLabel_s","type":"string"}])");
  EXPECT_EQ(restated.status, 200) << restated.text;
  EXPECT_EQ(emulator_->store.find_table("Restated_CL")->columns.size(), 4u);
  Answer created = put(R"([{"name":"_version_s","type":"string"}])");
  EXPECT_EQ(created.status, 400);
  EXPECT_NE(created.message().find("'_version_s'"), std::string::npos) << created.text;
}

TEST_F(ArmTablesTest, DeploysARuleOnlyToAnExistingTableThatIsNotClassic) {
  const std::string rule = std::string(kRuleGroup) + "deployed";
  const std::string version = "?api-version=2023-03-11";
  Answer answer = call("PUT", rule, version, rule_body("Custom-Old_CL"));
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.message().find("'Old_CL' of output stream 'Custom-Old_CL' is a classic custom "
                                  "log table, created by the Data Collector API"),
            std::string::npos)
      << answer.message();
  EXPECT_NE(
      call("PUT", rule, version, rule_body("Custom-Nothing_CL")).message().find("was not found"),
      std::string::npos);
  EXPECT_NE(call("PUT", rule, version,
                 rule_body("Custom-New_CL",
                           "/subscriptions/x/resourceGroups/y/providers/"
                           "Microsoft.OperationalInsights/workspaces/zzzz"))
                .message()
                .find("workspace"),
            std::string::npos);
  EXPECT_NE(call("PUT", rule, version, rule_body("Custom-New_CL", kWorkspace, "Custom-Y"))
                .message()
                .find("does not declare"),
            std::string::npos);
  EXPECT_EQ(call("PUT", rule, version, R"({"properties":{}})").code(), "LocationRequired");
  EXPECT_EQ(call("PUT", rule, "?api-version=2022-10-01", rule_body("Custom-New_CL")).code(),
            "InvalidApiVersionParameter");
  EXPECT_EQ(emulator_->rules.find_by_resource_id(rule), nullptr);

  answer = call("PUT", rule, version, rule_body("Custom-New_CL"));
  ASSERT_EQ(answer.status, 200) << answer.text;
  const std::string immutable_id = answer.body["properties"]["immutableId"].GetString();
  EXPECT_EQ(immutable_id.size(), 36u);
  EXPECT_EQ(immutable_id.rfind("dcr-", 0), 0u);
  const auto deployed = emulator_->rules.find(immutable_id);
  ASSERT_NE(deployed, nullptr);
  EXPECT_TRUE(deployed->publishers_closed);
  EXPECT_EQ(deployed->tenant_id, kTenant);
  EXPECT_EQ(deployed->data_flows.at(0).table, "New_CL");
  EXPECT_EQ(call("GET", rule, version).body["properties"]["immutableId"].GetString(), immutable_id);
}

TEST_F(ArmTablesTest, RoleAssignmentsMakePublishersOfARule) {
  const std::string rule = std::string(kRuleGroup) + "configured";
  const std::string version = "?api-version=2022-04-01";
  const auto assignment = [&](const std::string& scope, const std::string& name,
                              const std::string& role, const std::string& principal) {
    return call("PUT", scope + "/providers/Microsoft.Authorization/roleAssignments/" + name,
                version,
                R"({"properties":{"roleDefinitionId":")" + role + R"(","principalId":")" +
                    principal + R"(","principalType":"ServicePrincipal"}})");
  };
  TokenCheck reader;
  reader.object_id = kReader;
  EXPECT_FALSE(emulator_->role_assignments.publisher(rule, reader));
  EXPECT_EQ(assignment(rule, "not-a-guid", kPublisherRole, kReader).code(),
            "InvalidRoleAssignmentId");
  EXPECT_EQ(
      assignment(std::string(kRuleGroup) + "missing", new_guid(), kPublisherRole, kReader).status,
      404);
  // Reader (acdd72a7-…): recorded, without effect on ingestion.
  Answer answer = assignment(rule, new_guid(),
                             "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/providers/"
                             "Microsoft.Authorization/roleDefinitions/"
                             "acdd72a7-3385-48ef-bd42-f606fba81ae7",
                             kReader);
  EXPECT_EQ(answer.status, 201) << answer.text;
  EXPECT_FALSE(emulator_->role_assignments.publisher(rule, reader));
  const std::string name = new_guid();
  answer = assignment(rule, name, kPublisherRole, kReader);
  ASSERT_EQ(answer.status, 201) << answer.text;
  EXPECT_STREQ(answer.body["name"].GetString(), name.c_str());
  EXPECT_STREQ(answer.body["properties"]["scope"].GetString(), rule.c_str());
  EXPECT_EQ(std::string(answer.body["id"].GetString()),
            rule + "/providers/Microsoft.Authorization/roleAssignments/" + name);
  EXPECT_TRUE(emulator_->role_assignments.publisher(rule, reader));
  EXPECT_FALSE(emulator_->role_assignments.publisher(rule + "2", reader));
  EXPECT_EQ(assignment(rule, new_guid(), kPublisherRole, kReader).code(), "RoleAssignmentExists");
  EXPECT_EQ(call("PUT", rule + "/providers/Microsoft.Authorization/roleAssignments/" + new_guid(),
                 "?api-version=2023-03-11", "{}")
                .code(),
            "InvalidApiVersionParameter");
  // A resource group scope covers the rules in it.
  TokenCheck other;
  other.object_id = "5b3f7c2e-0000-4000-8000-0000000000c0";
  EXPECT_EQ(assignment("/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/"
                       "gd2sentinel-test",
                       new_guid(), kPublisherRole, other.object_id)
                .status,
            201);
  EXPECT_TRUE(emulator_->role_assignments.publisher(rule, other));
}

TEST_F(ArmTablesTest, InjectsArmFaultsOnTableRequests) {
  std::string error;
  rapidjson::Document rules;
  rules.Parse(R"([{"endpoint":"arm","status":503,"schedule":[1]}])");
  emulator_->faults.replace(parse_fault_rules(rules, &error));
  EXPECT_EQ(call("GET", kTables + "Old_CL", kTableVersion).status, 503);
  EXPECT_EQ(call("GET", kTables + "Old_CL", kTableVersion).status, 200);
}

TEST(EmulatorTables, GivesDeclaredAndRuleTablesTheirSubTypes) {
  const auto path =
      std::filesystem::temp_directory_path() / ("wsemu-emulator-" + new_guid() + ".db");
  {
    Emulator emulator(parse_config(kConfig, ""), generate_rsa_key(2048), path.string());
    EXPECT_EQ(emulator.store.find_table("Old_CL")->sub_type, TableSubType::Classic);
    EXPECT_EQ(emulator.store.find_table("New_CL")->sub_type, TableSubType::DataCollectionRuleBased);
    EXPECT_EQ(emulator.store.find_table("New_CL")->columns.size(), 3u);  // + the rule's Title_s
    emulator.store.define_table("Taken_CL", {{"a_s", ColumnType::String}}, TableSubType::Classic);
  }
  // A configured rule sending to a table the database holds as Classic does not start.
  const std::string config = R"({"dcrs":[{"immutable_id":"d","stream_declarations":{"Custom-S":
      {"columns":[{"name":"a_s","type":"string"}]}},"data_flows":[{"streams":["Custom-S"],
      "output_stream":"Custom-Taken_CL"}]}]})";
  try {
    Emulator emulator(parse_config(config, ""), generate_rsa_key(2048), path.string());
    ADD_FAILURE() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("migrate it"), std::string::npos) << e.what();
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

}  // namespace
}  // namespace wsemu
