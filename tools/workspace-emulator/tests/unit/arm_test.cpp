// The Azure Resource Manager read of a data collection rule, served in-process
// (plain HTTP; the emulator registers the same handler on its HTTPS server):
// the rule's definition with its declared columns, and ARM's 400/401/403/404
// answers; and management tokens from the token endpoint.
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <memory>
#include <thread>

#include "config.h"
#include "crypto.h"
#include "emulator.h"
#include "handlers.h"
#include "jwt.h"
#include "time_util.h"

namespace wsemu {
namespace {

constexpr const char* kTenant = "3d6f7a21-0000-4000-8000-000000000001";
constexpr const char* kOtherTenant = "8f2c1d3e-0000-4000-8000-000000000009";
constexpr const char* kReaderClient = "0e9c4d1a-0000-4000-8000-000000000002";
constexpr const char* kReaderObject = "5b3f7c2e-0000-4000-8000-000000000003";
constexpr const char* kOtherObject = "5b3f7c2e-0000-4000-8000-0000000000b0";
constexpr const char* kRule =
    "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-rg/providers/"
    "Microsoft.Insights/dataCollectionRules/gd2sentinel-dcr";
constexpr const char* kOpenRule =
    "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/other-rg/providers/"
    "Microsoft.Insights/dataCollectionRules/open-dcr";
constexpr const char* kDefaultRule =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/"
    "Microsoft.Insights/dataCollectionRules/dcr-00000000000000000000000000000003";

const char* const kConfig = R"({
  "tenants": [
    {"id": "3d6f7a21-0000-4000-8000-000000000001", "applications": [
      {"client_id": "0e9c4d1a-0000-4000-8000-000000000002", "object_id": "5b3f7c2e-0000-4000-8000-000000000003",
       "secret": "s3cret"}]},
    {"id": "8f2c1d3e-0000-4000-8000-000000000009", "applications": [{"client_id": "c", "secret": "s"}]}
  ],
  "dcrs": [
    {
      "immutable_id": "dcr-00000000000000000000000000000001",
      "resource_id": "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-rg/providers/Microsoft.Insights/dataCollectionRules/gd2sentinel-dcr",
      "location": "westeurope",
      "tenant": "3d6f7a21-0000-4000-8000-000000000001",
      "readers": ["5b3f7c2e-0000-4000-8000-000000000003"],
      "workspace_resource_id": "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-rg/providers/Microsoft.OperationalInsights/workspaces/sentinel",
      "stream_declarations": {
        "Custom-GuardDutyFinding": {"columns": [{"name": "TimeGenerated", "type": "datetime"},
                                                {"name": "Severity", "type": "int"},
                                                {"name": "ServiceDetails", "type": "dynamic"}]},
        "Custom-GuardDutyLegacy": {"columns_from": "legacy.schema.json"}
      },
      "data_flows": [
        {"streams": ["Custom-GuardDutyFinding"], "output_stream": "Microsoft-AWSGuardDuty", "destinations": ["sentinel"]},
        {"streams": ["Custom-GuardDutyLegacy"], "output_stream": "Custom-AWSGuardDuty_CL"}
      ]
    },
    {
      "immutable_id": "dcr-00000000000000000000000000000002",
      "resource_id": "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/other-rg/providers/Microsoft.Insights/dataCollectionRules/open-dcr",
      "stream_declarations": {"Custom-S": {"columns": [{"name": "Title", "type": "string"}]}},
      "data_flows": [{"streams": ["Custom-S"], "output_stream": "Custom-S_CL"}]
    },
    {
      "immutable_id": "dcr-00000000000000000000000000000003",
      "stream_declarations": {"Custom-GuardDutyLegacy": {"columns_from": "legacy.schema.json"}}
    }
  ]
})";

const char* const kLegacySchema = R"({"name":"legacy","table":"AWSGuardDuty_CL","columns":[
    {"name":"TimeGenerated","type":"datetime","description":"t"},
    {"name":"severity_d","type":"real","description":"s"},
    {"name":"findingId_g","type":"guid","description":"g"},
    {"name":"archived_b","type":"boolean","description":"b"}]})";

struct Answer {
  int status = 0;
  rapidjson::Document body;
  httplib::Headers headers;
  std::string code() const {
    return body.IsObject() && body.HasMember("error") ? body["error"]["code"].GetString() : "";
  }
  std::string message() const {
    return body.IsObject() && body.HasMember("error") ? body["error"]["message"].GetString() : "";
  }
};

class ArmTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("wsemu-arm-" + new_guid());
    std::filesystem::create_directories(dir_);
    write_file((dir_ / "legacy.schema.json").string(), kLegacySchema);
    emulator_ =
        new Emulator(parse_config(kConfig, dir_.string()), generate_rsa_key(2048), ":memory:");
    server_ = new httplib::Server;
    register_entra(*server_, *emulator_);
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
    std::filesystem::remove_all(dir_);
  }
  void SetUp() override { emulator_->faults.clear(); }

  static std::string token(const std::string& audience, const std::string& tenant = kTenant,
                           const std::string& object_id = kReaderObject,
                           std::int64_t issued = now_epoch_seconds(),
                           std::int64_t lifetime = 3599) {
    AccessTokenClaims claims;
    claims.tenant_id = tenant;
    claims.audience = audience;
    claims.app_id = kReaderClient;
    claims.object_id = object_id;
    claims.app_id_acr = "1";
    claims.lifetime_seconds = lifetime;
    return emulator_->signer.issue(claims, issued);
  }

  static Answer get(const std::string& path, const std::string& bearer,
                    const std::string& query = "?api-version=2023-03-11",
                    const std::string& authorization = "") {
    httplib::Client client("127.0.0.1", port_);
    httplib::Headers headers;
    if (!authorization.empty()) {
      headers.emplace("Authorization", authorization);
    } else if (!bearer.empty()) {
      headers.emplace("Authorization", "Bearer " + bearer);
    }
    auto result = client.Get((path + query).c_str(), headers);
    Answer answer;
    if (!result) return answer;
    answer.status = result->status;
    answer.headers = result->headers;
    answer.body.Parse(result->body.c_str());
    return answer;
  }

  static std::filesystem::path dir_;
  static Emulator* emulator_;
  static httplib::Server* server_;
  static std::thread* thread_;
  static int port_;
};
std::filesystem::path ArmTest::dir_;
Emulator* ArmTest::emulator_ = nullptr;
httplib::Server* ArmTest::server_ = nullptr;
std::thread* ArmTest::thread_ = nullptr;
int ArmTest::port_ = 0;

std::vector<std::pair<std::string, std::string>> columns_of(const rapidjson::Value& stream) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : stream["columns"].GetArray())
    out.emplace_back(c["name"].GetString(), c["type"].GetString());
  return out;
}

TEST_F(ArmTest, TheTokenEndpointIssuesManagementTokensForEveryCloud) {
  httplib::Client client("127.0.0.1", port_);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"https://management.azure.com/.default", "https://management.azure.com"},
      {"https://management.azure.com//.default", "https://management.azure.com"},
      {"https://management.core.windows.net//.default", "https://management.core.windows.net"},
      {"https://management.usgovcloudapi.net/.default", "https://management.usgovcloudapi.net"},
      {"https://management.chinacloudapi.cn/.default", "https://management.chinacloudapi.cn"},
  };
  for (const auto& [scope, audience] : cases) {
    httplib::Params form{{"grant_type", "client_credentials"},
                         {"client_id", kReaderClient},
                         {"client_secret", "s3cret"},
                         {"scope", scope}};
    auto result = client.Post((std::string("/") + kTenant + "/oauth2/v2.0/token").c_str(), form);
    ASSERT_TRUE(result) << scope;
    ASSERT_EQ(result->status, 200) << scope << ": " << result->body;
    rapidjson::Document doc;
    doc.Parse(result->body.c_str());
    const auto jwt = parse_jwt(doc["access_token"].GetString(), nullptr);
    ASSERT_TRUE(jwt.has_value());
    EXPECT_EQ(jwt->audience(), audience) << scope;
    EXPECT_EQ(jwt->claim_string("oid"), kReaderObject);
  }
}

TEST_F(ArmTest, AnswersTheRuleWithItsDeclaredColumns) {
  const Answer answer = get(kRule, token("https://management.azure.com"));
  ASSERT_EQ(answer.status, 200);
  const auto& body = answer.body;
  EXPECT_STREQ(body["id"].GetString(), kRule);
  EXPECT_STREQ(body["name"].GetString(), "gd2sentinel-dcr");
  EXPECT_STREQ(body["type"].GetString(), "Microsoft.Insights/dataCollectionRules");
  EXPECT_STREQ(body["location"].GetString(), "westeurope");
  EXPECT_STREQ(body["kind"].GetString(), "Direct");
  const auto& properties = body["properties"];
  EXPECT_STREQ(properties["immutableId"].GetString(), "dcr-00000000000000000000000000000001");
  EXPECT_EQ(properties["endpoints"]["logsIngestion"].GetString(), emulator_->https_url);
  EXPECT_STREQ(properties["provisioningState"].GetString(), "Succeeded");
  const auto& streams = properties["streamDeclarations"];
  EXPECT_EQ(streams.MemberCount(), 2u);
  EXPECT_EQ(
      columns_of(streams["Custom-GuardDutyFinding"]),
      (std::vector<std::pair<std::string, std::string>>{
          {"TimeGenerated", "datetime"}, {"Severity", "int"}, {"ServiceDetails", "dynamic"}}));
  // Loaded with columns_from (a guid column is declared as string, as Azure Monitor stores it).
  EXPECT_EQ(columns_of(streams["Custom-GuardDutyLegacy"]),
            (std::vector<std::pair<std::string, std::string>>{{"TimeGenerated", "datetime"},
                                                              {"severity_d", "real"},
                                                              {"findingId_g", "string"},
                                                              {"archived_b", "boolean"}}));
  const auto& flows = properties["dataFlows"];
  ASSERT_EQ(flows.Size(), 2u);
  EXPECT_STREQ(flows[0]["streams"][0].GetString(), "Custom-GuardDutyFinding");
  EXPECT_STREQ(flows[0]["destinations"][0].GetString(), "sentinel");
  EXPECT_STREQ(flows[0]["outputStream"].GetString(), "Microsoft-AWSGuardDuty");
  EXPECT_STREQ(flows[0]["transformKql"].GetString(), "source");
  EXPECT_STREQ(flows[1]["destinations"][0].GetString(), "LogAnalyticsDest");
  EXPECT_STREQ(flows[1]["outputStream"].GetString(), "Custom-AWSGuardDuty_CL");
  const auto& destinations = properties["destinations"]["logAnalytics"];
  ASSERT_EQ(destinations.Size(), 2u);
  EXPECT_STREQ(destinations[0]["name"].GetString(), "sentinel");
  EXPECT_STREQ(destinations[1]["name"].GetString(), "LogAnalyticsDest");
  EXPECT_STREQ(
      destinations[0]["workspaceResourceId"].GetString(),
      "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-rg/providers/"
      "Microsoft.OperationalInsights/workspaces/sentinel");
  ASSERT_NE(answer.headers.find("x-ms-request-id"), answer.headers.end());
  ASSERT_NE(answer.headers.find("x-ms-correlation-request-id"), answer.headers.end());
}

TEST_F(ArmTest, ComparesTheIdWithoutRegardToCaseAndAnswersItsOwnSpelling) {
  const Answer answer = get(
      "/SUBSCRIPTIONS/6A1E3F0B-0000-4000-8000-000000000007/resourcegroups/GD2SENTINEL-RG/providers/"
      "microsoft.insights/datacollectionrules/GD2SENTINEL-DCR",
      token("https://management.core.windows.net/"));
  ASSERT_EQ(answer.status, 200);
  EXPECT_STREQ(answer.body["id"].GetString(), kRule);
}

TEST_F(ArmTest, GivesARuleWithoutResourceIdADefaultIdentity) {
  const Answer answer = get(kDefaultRule, token("https://management.azure.com"));
  ASSERT_EQ(answer.status, 200);
  EXPECT_STREQ(answer.body["name"].GetString(), "dcr-00000000000000000000000000000003");
  EXPECT_STREQ(answer.body["location"].GetString(), "eastus");
  const auto& flow = answer.body["properties"]["dataFlows"][0];
  EXPECT_STREQ(flow["outputStream"].GetString(), "Custom-AWSGuardDuty_CL");
  EXPECT_EQ(
      answer.body["properties"]["streamDeclarations"]["Custom-GuardDutyLegacy"]["columns"].Size(),
      4u);
}

TEST_F(ArmTest, RefusesMissingMalformedExpiredAndForeignTokensWith401) {
  Answer answer = get(kRule, "");
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.code(), "AuthenticationFailed");
  EXPECT_EQ(answer.message(), "Authentication failed. The 'Authorization' header is missing.");

  answer = get(kRule, "", "?api-version=2023-03-11", "Basic dXNlcjpwYXNz");
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.code(), "AuthenticationFailedInvalidHeader");

  answer = get(kRule, "not-a-jwt");
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.code(), "InvalidAuthenticationToken");
  EXPECT_EQ(answer.message(), "The access token is invalid.");

  TokenSigner stranger(generate_rsa_key(2048));
  AccessTokenClaims claims;
  claims.tenant_id = kTenant;
  claims.audience = "https://management.azure.com";
  answer = get(kRule, stranger.issue(claims, now_epoch_seconds()));
  EXPECT_EQ(answer.code(), "InvalidAuthenticationToken");

  // 1,000,000,000 s: 9/9/2001 1:46:40 AM UTC; expired long ago.
  answer =
      get(kRule, token("https://management.azure.com", kTenant, kReaderObject, 1000000000 - 3599));
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.code(), "ExpiredAuthenticationToken");
  EXPECT_EQ(answer.message().rfind(
                "The access token expiry UTC time '9/9/2001 1:46:40 AM' is earlier than current "
                "UTC time '",
                0),
            0u)
      << answer.message();

  answer = get(kRule, token("https://monitor.azure.com"));
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.code(), "InvalidAuthenticationTokenAudience");
  EXPECT_EQ(
      answer.message(),
      "The access token has been obtained for wrong audience or resource "
      "'https://monitor.azure.com'. It should "
      "exactly match with one of the allowed audiences 'https://management.core.windows.net/',"
      "'https://management.core.windows.net','https://management.azure.com/','https://"
      "management.azure.com'.");

  answer = get(kRule, token("https://management.azure.com", kOtherTenant, "c"));
  EXPECT_EQ(answer.status, 401);
  EXPECT_EQ(answer.code(), "InvalidAuthenticationTokenTenant");
  EXPECT_EQ(answer.message().rfind(
                std::string("The access token is from the wrong issuer 'https://sts.windows.net/") +
                    kOtherTenant + "/'. It must match the tenant 'https://sts.windows.net/" +
                    kTenant + "/' associated with this subscription.",
                0),
            0u)
      << answer.message();
}

TEST_F(ArmTest, RefusesACallerWhoIsNotAReaderWith403) {
  const Answer answer = get(kRule, token("https://management.azure.com", kTenant, kOtherObject));
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(answer.code(), "AuthorizationFailed");
  EXPECT_EQ(answer.message(),
            std::string("The client '") + kOtherObject + "' with object id '" + kOtherObject +
                "' does not have authorization to perform action "
                "'Microsoft.Insights/dataCollectionRules/read' over scope '" +
                kRule +
                "' or the scope is invalid. If access was recently granted, please refresh your "
                "credentials.");
  // Without "readers", any principal of the tenant reads the rule.
  EXPECT_EQ(get(kOpenRule, token("https://management.azure.com", kTenant, kOtherObject)).status,
            200);
}

TEST_F(ArmTest, AnswersUnknownRulesGroupsAndSubscriptionsWith404) {
  const std::string management = token("https://management.azure.com");
  Answer answer = get(
      "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-rg/providers/"
      "Microsoft.Insights/dataCollectionRules/missing-dcr",
      management);
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.code(), "ResourceNotFound");
  EXPECT_EQ(answer.message(),
            "The Resource 'Microsoft.Insights/dataCollectionRules/missing-dcr' under resource "
            "group 'gd2sentinel-rg' "
            "was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
  answer =
      get("/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/nowhere/providers/"
          "Microsoft.Insights/dataCollectionRules/gd2sentinel-dcr",
          management);
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.code(), "ResourceGroupNotFound");
  EXPECT_EQ(answer.message(), "Resource group 'nowhere' could not be found.");
  answer = get(
      "/subscriptions/11111111-0000-4000-8000-000000000000/resourceGroups/gd2sentinel-rg/providers/"
      "Microsoft.Insights/dataCollectionRules/gd2sentinel-dcr",
      management);
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.code(), "SubscriptionNotFound");
}

TEST_F(ArmTest, RequiresASupportedApiVersion) {
  const std::string management = token("https://management.azure.com");
  Answer answer = get(kRule, management, "");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.code(), "MissingApiVersionParameter");
  EXPECT_EQ(answer.message(),
            "The api-version query parameter (?api-version=) is required for all requests.");
  EXPECT_EQ(get(kRule, "", "").code(), "MissingApiVersionParameter");  // before the token
  answer = get(kRule, management, "?api-version=2015-01-01");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.code(), "InvalidApiVersionParameter");
  EXPECT_EQ(answer.message(),
            "The api-version '2015-01-01' is invalid. The supported versions are "
            "'2024-03-11,2023-03-11,2022-06-01,2021-09-01-preview,2021-04-01,2019-11-01-preview'.");
  EXPECT_EQ(get(kRule, management, "?api-version=2022-06-01").status, 200);
}

TEST_F(ArmTest, InjectsFaultsOnTheArmEndpointAndLogsItsRequests) {
  emulator_->requests.clear();
  std::string error;
  rapidjson::Document rules;
  rules.Parse(R"([{"endpoint":"arm","status":429,"retry_after":7,"schedule":[1]}])");
  emulator_->faults.replace(parse_fault_rules(rules, &error));
  ASSERT_TRUE(error.empty()) << error;
  const std::string management = token("https://management.azure.com");
  const Answer throttled = get(kRule, management);
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.code(), "SubscriptionRequestsThrottled");
  EXPECT_EQ(throttled.headers.find("Retry-After")->second, "7");
  EXPECT_EQ(get(kRule, management).status, 200);
  rapidjson::Document log;
  log.Parse(emulator_->requests.to_json("arm", 0).c_str());
  ASSERT_EQ(log.Size(), 2u);
  EXPECT_STREQ(log[0]["endpoint"].GetString(), "arm");
  EXPECT_EQ(log[0]["status"].GetInt(), 429);
  EXPECT_STREQ(log[0]["fault"].GetString(), "429");
  EXPECT_STREQ(log[0]["error_code"].GetString(), "SubscriptionRequestsThrottled");
  EXPECT_EQ(log[1]["status"].GetInt(), 200);
  EXPECT_STREQ(log[1]["method"].GetString(), "GET");
}

}  // namespace
}  // namespace wsemu
