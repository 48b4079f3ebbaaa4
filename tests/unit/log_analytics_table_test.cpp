#include "azure/log_analytics_table.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <memory>
#include <string>

#include "support/sink_testing.h"

namespace gd2s::azure {
namespace {

using test::FakeHttpClient;
using test::FakeTokens;

constexpr const char* kWorkspace =
    "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/rg/providers/"
    "Microsoft.OperationalInsights/workspaces/sentinel";

std::string table_json(const std::string& sub_type) {
  return R"({"properties":{"plan":"Analytics","schema":{"name":"AWSGuardDuty_CL","tableType":"CustomLog","tableSubType":")" +
         sub_type +
         R"(","columns":[{"name":"type_s","type":"string"},{"name":"Severity","type":"real"},{"name":"id_g","type":"guid"},{"name":"createdAt_t","type":"dateTime"}],"standardColumns":[{"name":"TimeGenerated","type":"datetime"}]},"provisioningState":"Succeeded"},"name":"AWSGuardDuty_CL"})";
}

TEST(LogAnalyticsTable, ParsesTheSubTypeAndTheCustomColumnsWithLowercaseTypes) {
  LogAnalyticsTable table = parse_table(table_json("Classic"));
  EXPECT_EQ(table.name, "AWSGuardDuty_CL");
  EXPECT_TRUE(table.classic());
  ASSERT_EQ(table.columns.size(), 4u);
  EXPECT_EQ(table.columns[3].name, "createdAt_t");
  EXPECT_EQ(table.columns[3].type, "datetime");
  EXPECT_FALSE(parse_table(table_json("DataCollectionRuleBased")).classic());
  EXPECT_THROW(parse_table(R"({"properties":{}})"), std::runtime_error);
}

TEST(LogAnalyticsTable, TheGapListsMissingColumnsAndTypeConflictsButTakesGuidForString) {
  LogAnalyticsTable table = parse_table(table_json("DataCollectionRuleBased"));
  ColumnGap gap = column_gap(table, {{"TimeGenerated", "datetime"},
                                     {"type_s", "string"},
                                     {"Severity", "real"},
                                     {"id_g", "string"},
                                     {"createdAt_t", "string"},
                                     {"SeverityLabel_s", "string"},
                                     {"AdditionalFields", "dynamic"}});
  ASSERT_EQ(gap.missing.size(), 2u);
  EXPECT_EQ(gap.missing[0].name, "SeverityLabel_s");
  EXPECT_EQ(gap.missing[1].name, "AdditionalFields");
  ASSERT_EQ(gap.conflicts.size(), 1u);
  EXPECT_NE(gap.conflicts[0].find("createdAt_t is datetime"), std::string::npos);
}

TEST(LogAnalyticsTable, CallsTheTablesApiWithTheTokenAndKeepsEveryExistingColumnWhenAdding) {
  auto http = std::make_shared<FakeHttpClient>([](const http::Request& request) {
    if (request.method == "GET" && request.url.find("/tables/Missing_CL") != std::string::npos)
      return http::Response{404, {}, R"({"error":{"code":"ResourceNotFound","message":"no"}})"};
    if (request.method == "POST") return http::Response{200, {}, ""};
    if (request.method == "PUT")
      return http::Response{200, {}, table_json("DataCollectionRuleBased")};
    if (request.url.find("/tables/Denied_CL") != std::string::npos)
      return http::Response{
          403,
          {},
          R"({"error":{"code":"AuthorizationFailed","message":"The client 'x' has no rights"}})"};
    return http::Response{200, {}, table_json("Classic")};
  });
  ResourceManager arm("https://arm.example/", std::make_shared<FakeTokens>(), http);

  std::optional<LogAnalyticsTable> table = read_table(arm, kWorkspace, "AWSGuardDuty_CL");
  ASSERT_TRUE(table);
  EXPECT_TRUE(table->classic());
  EXPECT_FALSE(read_table(arm, kWorkspace, "Missing_CL"));
  try {
    read_table(arm, kWorkspace, "Denied_CL");
    ADD_FAILURE() << "a 403 must throw";
  } catch (const ArmError& error) {
    EXPECT_EQ(error.status(), 403);
    EXPECT_EQ(error.code(), "AuthorizationFailed");
    EXPECT_NE(std::string(error.what()).find("AuthorizationFailed: The client 'x'"),
              std::string::npos);
  }
  migrate_table(arm, kWorkspace, "AWSGuardDuty_CL");
  add_columns(arm, kWorkspace, *table, {{"SeverityLabel_s", "string"}});

  auto seen = http->seen();
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(seen[0].request.url, std::string("https://arm.example") + kWorkspace +
                                     "/tables/AWSGuardDuty_CL?api-version=2022-10-01");
  EXPECT_EQ(http::find_header(seen[0].request.headers, "Authorization"), "Bearer token-0");
  EXPECT_EQ(seen[3].request.method, "POST");
  EXPECT_EQ(seen[3].request.url, std::string("https://arm.example") + kWorkspace +
                                     "/tables/AWSGuardDuty_CL/migrate?api-version=2022-10-01");
  EXPECT_EQ(seen[4].request.method, "PUT");
  simdjson::dom::parser parser;
  simdjson::dom::element body;
  ASSERT_FALSE(parser.parse(seen[4].request.body).get(body));
  simdjson::dom::array columns;
  ASSERT_FALSE(body["properties"]["schema"]["columns"].get(columns));
  ASSERT_EQ(columns.size(), 5u) << "the four columns the table has, then the added one";
  std::string_view last;
  ASSERT_FALSE(columns.at(4)["name"].get(last));
  EXPECT_EQ(last, "SeverityLabel_s");
  std::string_view name;
  ASSERT_FALSE(body["properties"]["schema"]["name"].get(name));
  EXPECT_EQ(name, "AWSGuardDuty_CL");
}

TEST(LogAnalyticsTable, FindsTheWorkspaceARuleSendsTo) {
  EXPECT_EQ(rule_workspace(
                std::string(
                    R"({"properties":{"destinations":{"logAnalytics":[{"workspaceResourceId":")") +
                kWorkspace + R"(","name":"sentinel"}]}}})"),
            kWorkspace);
  EXPECT_EQ(rule_workspace(R"({"properties":{}})"), "");
  EXPECT_EQ(rule_workspace("not json"), "");
}

}  // namespace
}  // namespace gd2s::azure
