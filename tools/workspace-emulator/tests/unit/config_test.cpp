// The configuration file: the shipped examples load, errors name the field.
#include "config.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "crypto.h"

namespace wsemu {
namespace {

const std::string kSource = WSEMU_SOURCE_DIR;

TEST(Config, LoadsTheNativeGuardDutyExample) {
  const Config config = load_config_file(kSource + "/config/guardduty-native.json");
  ASSERT_EQ(config.dcrs.size(), 1u);
  const auto& dcr = config.dcrs[0];
  const auto& stream = dcr.streams.at("Custom-GuardDutyFinding");
  ASSERT_EQ(stream.columns.size(), 14u);
  EXPECT_EQ(stream.columns[0].name, "TimeGenerated");
  EXPECT_EQ(stream.columns[0].type, ColumnType::Datetime);
  EXPECT_EQ(stream.columns[12].name, "Severity");
  EXPECT_EQ(stream.columns[12].type, ColumnType::Int);
  ASSERT_EQ(dcr.data_flows.size(), 1u);
  EXPECT_EQ(dcr.data_flows[0].output_stream, "Microsoft-AWSGuardDuty");
  EXPECT_EQ(dcr.data_flows[0].table, "AWSGuardDuty");
  EXPECT_EQ(dcr.rate_limits.requests_per_minute, 0);  // unlimited unless asked for
  EXPECT_EQ(dcr.resource.name, "gd2sentinel-guardduty");
  EXPECT_EQ(dcr.resource.resource_group, "gd2sentinel-test");
  EXPECT_EQ(config.logs_ingestion.audiences, std::vector<std::string>{"https://monitor.azure.com"});
  ASSERT_NE(config.find_tenant("gd2sentinel-test.onmicrosoft.com"), nullptr);
  EXPECT_EQ(config.find_tenant("3D6F7A21-0000-4000-8000-000000000001"),
            config.find_tenant("gd2sentinel-test.onmicrosoft.com"));
  ASSERT_NE(config.find_workspace("7e1d3b9a-0000-4000-8000-000000000006"), nullptr);
}

TEST(Config, TakesColumnsFromAGd2sentinelSchemaDocument) {
  const std::string schema = R"({"name":"native","table":"AWSGuardDuty","columns":[
      {"name":"TimeGenerated","type":"datetime","description":"d"},{"name":"Severity","type":"int","description":"s"}]})";
  const auto dir = std::filesystem::temp_directory_path() / ("wsemu-config-" + new_guid());
  std::filesystem::create_directories(dir);
  write_file((dir / "native.schema.json").string(), schema);
  const Config config = parse_config(R"({"dcrs":[{"immutable_id":"dcr-1","stream_declarations":{
      "Custom-GuardDutyFinding":{"columns_from":"native.schema.json"}}}]})",
                                     dir.string());
  std::filesystem::remove_all(dir);
  const auto& dcr = config.dcrs.at(0);
  EXPECT_EQ(dcr.streams.at("Custom-GuardDutyFinding").columns.size(), 2u);
  ASSERT_EQ(dcr.data_flows.size(), 1u);
  EXPECT_EQ(dcr.data_flows[0].output_stream, "Microsoft-AWSGuardDuty");
  std::string table;
  columns_of_schema(R"({"table":"AWSGuardDuty_CL","columns":[]})", &table);
  EXPECT_EQ(table, "AWSGuardDuty_CL");
}

TEST(Config, NamesTheFieldThatIsWrong) {
  auto message = [](const std::string& text) {
    try {
      parse_config(text, "");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(R"({"tennants":[]})").find("unknown field 'tennants'"), std::string::npos);
  EXPECT_NE(
      message(
          R"({"dcrs":[{"immutable_id":"d","stream_declarations":{"MyStream":{"columns":[]}}}]})")
          .find("Custom-"),
      std::string::npos);
  EXPECT_NE(
      message(
          R"({"dcrs":[{"immutable_id":"d","stream_declarations":{"Custom-S":{"columns":[{"name":"A","type":"decimal"}]}},
      "data_flows":[{"streams":["Custom-S"],"output_stream":"Custom-S_CL"}]}]})")
          .find("unknown type 'decimal'"),
      std::string::npos);
  EXPECT_NE(
      message(R"({"dcrs":[{"immutable_id":"d","stream_declarations":{"Custom-S":{"columns":[]}},
      "data_flows":[{"streams":["Custom-S"],"output_stream":"Custom-S_CL","transform_kql":"source | where x"}]}]})")
          .find("only the pass-through transform"),
      std::string::npos);
  EXPECT_NE(message(R"({"cloud":"mars"})").find("cloud must be"), std::string::npos);
  EXPECT_NE(message("{").find("not valid JSON"), std::string::npos);
}

TEST(Config, ChoosesTheIngestionAudienceByCloud) {
  EXPECT_EQ(parse_config(R"({"cloud":"usgovernment"})", "").logs_ingestion.audiences,
            std::vector<std::string>{"https://monitor.azure.us"});
  EXPECT_EQ(parse_config(R"({"cloud":"china"})", "").logs_ingestion.audiences,
            std::vector<std::string>{"https://monitor.azure.cn"});
  EXPECT_EQ(parse_config(R"({"logs_ingestion":{"audiences":["https://x"]}})", "")
                .logs_ingestion.audiences,
            std::vector<std::string>{"https://x"});
}

TEST(Config, ReadsRateLimits) {
  const Config config = parse_config(
      R"({"dcrs":[{"immutable_id":"d","stream_declarations":{"Custom-S":{"columns":[]}},
      "data_flows":[{"streams":["Custom-S"],"output_stream":"Custom-S_CL"}],
      "rate_limits":{"requests_per_minute":12000,"bytes_per_minute":2147483648}}]})",
      "");
  EXPECT_EQ(config.dcrs.at(0).rate_limits.requests_per_minute, 12000);
  EXPECT_EQ(config.dcrs.at(0).rate_limits.bytes_per_minute, 2147483648);
}

TEST(Config, ReadsTheArmIdentityOfARule) {
  const Config config = parse_config(R"({"dcrs":[
      {"immutable_id":"dcr-1","stream_declarations":{"Custom-S":{"columns":[]}},
       "data_flows":[{"streams":["Custom-S"],"output_stream":"Custom-S_CL"}]},
      {"immutable_id":"dcr-2","location":"westeurope","readers":["5b3f7c2e-0000-4000-8000-000000000003"],
       "resource_id":"/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourcegroups/My-RG_(1)/providers/microsoft.insights/dataCollectionRules/my.dcr",
       "workspace_resource_id":"/subscriptions/x/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/z",
       "stream_declarations":{"Custom-S":{"columns":[]}},
       "data_flows":[{"streams":["Custom-S"],"output_stream":"Custom-S_CL","destinations":["la"]}]}]})",
                                     "");
  const auto& first = config.dcrs.at(0);
  EXPECT_EQ(first.resource_id,
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/"
            "Microsoft.Insights/dataCollectionRules/dcr-1");
  EXPECT_EQ(first.resource.name, "dcr-1");
  EXPECT_EQ(first.location, "eastus");
  EXPECT_FALSE(first.readers.has_value());
  EXPECT_EQ(first.data_flows.at(0).destinations, std::vector<std::string>{"LogAnalyticsDest"});
  EXPECT_EQ(first.workspace_resource_id,
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/providers/"
            "Microsoft.OperationalInsights/workspaces/emulator");
  const auto& second = config.dcrs.at(1);
  EXPECT_EQ(second.resource.subscription, "6a1e3f0b-0000-4000-8000-000000000007");
  EXPECT_EQ(second.resource.resource_group, "My-RG_(1)");
  EXPECT_EQ(second.resource.name, "my.dcr");
  EXPECT_EQ(second.location, "westeurope");
  EXPECT_EQ(second.readers, std::vector<std::string>{"5b3f7c2e-0000-4000-8000-000000000003"});
  EXPECT_EQ(second.data_flows.at(0).destinations, std::vector<std::string>{"la"});
  EXPECT_EQ(config.find_dcr_by_resource_id(
                "/SUBSCRIPTIONS/6A1E3F0B-0000-4000-8000-000000000007/resourceGroups/my-rg_(1)/"
                "providers/Microsoft.Insights/dataCollectionRules/MY.DCR"),
            &second);
  EXPECT_EQ(config.find_dcr_by_resource_id("/subscriptions/6a1e3f0b-0000-4000-8000-000000000007"),
            nullptr);
  EXPECT_EQ(parse_config(R"({"cloud":"usgovernment"})", "").arm.audiences,
            (std::vector<std::string>{"https://management.core.usgovcloudapi.net",
                                      "https://management.usgovcloudapi.net"}));
  EXPECT_EQ(parse_config("{}", "").arm.audiences,
            (std::vector<std::string>{"https://management.core.windows.net",
                                      "https://management.azure.com"}));
}

TEST(Config, RefusesAResourceIdOfTheWrongShape) {
  auto message = [](const std::string& resource_id) {
    try {
      parse_config(R"({"dcrs":[{"immutable_id":"d","resource_id":")" + resource_id +
                       R"(","stream_declarations":{"Custom-S":{"columns":[]}},
                       "data_flows":[{"streams":["Custom-S"],"output_stream":"Custom-S_CL"}]}]})",
                   "");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string good_prefix =
      "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/rg";
  EXPECT_EQ(message(good_prefix + "/providers/Microsoft.Insights/dataCollectionRules/ok"),
            "no error");
  EXPECT_NE(message(good_prefix + "/providers/Microsoft.Insights/dataCollectionEndpoints/x")
                .find("must have the form"),
            std::string::npos);
  EXPECT_NE(message(good_prefix + "/providers/Microsoft.Insights/dataCollectionRules/x/extra")
                .find("must have the form"),
            std::string::npos);
  EXPECT_NE(
      message("subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/rg/providers/"
              "Microsoft.Insights/dataCollectionRules/x")
          .find("must have the form"),
      std::string::npos);
  EXPECT_NE(message("/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Insights/"
                    "dataCollectionRules/x")
                .find("not a GUID"),
            std::string::npos);
  EXPECT_NE(
      message("/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/rg./providers/"
              "Microsoft.Insights/dataCollectionRules/x")
          .find("resource group"),
      std::string::npos);
  EXPECT_NE(message(good_prefix + "/providers/Microsoft.Insights/dataCollectionRules/a b")
                .find("names rule"),
            std::string::npos);
}

TEST(Config, RefusesTwoRulesWithOneResourceIdOrOneSubscriptionInTwoTenants) {
  auto message = [](const std::string& text) {
    try {
      parse_config(text, "");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string rule = R"("stream_declarations":{"Custom-S":{"columns":[]}},
      "data_flows":[{"streams":["Custom-S"],"output_stream":"Custom-S_CL"}])";
  const std::string sub =
      "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/rg/providers/"
      "Microsoft.Insights/dataCollectionRules/";
  EXPECT_NE(message(R"({"dcrs":[{"immutable_id":"a","resource_id":")" + sub + R"(x",)" + rule +
                    R"(},{"immutable_id":"b","resource_id":")" + sub + R"(X",)" + rule + "}]}")
                .find("same resource_id"),
            std::string::npos);
  EXPECT_NE(message(R"({"dcrs":[{"immutable_id":"a","tenant":"t1","resource_id":")" + sub +
                    R"(x",)" + rule + R"(},{"immutable_id":"b","tenant":"t2","resource_id":")" +
                    sub + R"(y",)" + rule + "}]}")
                .find("another tenant"),
            std::string::npos);
}

TEST(Config, LoadsTheLogstashMigrationExample) {
  const Config config = load_config_file(kSource + "/config/logstash-migration.json");
  EXPECT_TRUE(config.dcrs.empty());  // the classic table comes from Data Collector posts
  ASSERT_EQ(config.workspaces.size(), 1u);
  const auto& workspace = config.workspaces[0];
  EXPECT_EQ(workspace.id, "7e1c2a4b-0000-4000-8000-000000000009");
  EXPECT_EQ(workspace.resource.name, "sentinel");
  EXPECT_EQ(workspace.resource.subscription, "6a1e3f0b-0000-4000-8000-000000000007");
  EXPECT_EQ(workspace.table_writers,
            std::vector<std::string>{"5b3f7c2e-0000-4000-8000-000000000003"});
  EXPECT_EQ(
      config.find_workspace_by_resource_id(
          "/SUBSCRIPTIONS/6a1e3f0b-0000-4000-8000-000000000007/resourcegroups/gd2sentinel-test/"
          "providers/microsoft.operationalinsights/workspaces/SENTINEL"),
      &workspace);
  ASSERT_NE(config.find_tenant("3d6f7a21-0000-4000-8000-000000000001"), nullptr);
  EXPECT_EQ(config.arm.table_api_versions,
            (std::vector<std::string>{"2022-10-01", "2023-09-01", "2025-02-01", "2025-07-01",
                                      "2021-12-01-preview"}));
}

TEST(Config, ReadsTheTablesAWorkspaceDeclares) {
  const Config config = parse_config(R"({"workspaces":[{"id":"w","shared_key":"a2V5",
      "resource_id":"/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/sentinel",
      "tenant":"3d6f7a21-0000-4000-8000-000000000001",
      "tables":[{"name":"AWSGuardDuty_CL","sub_type":"Classic","columns":[{"name":"Severity","type":"real"},{"name":"id_g","type":"guid"}]},
                {"name":"New_CL","columns":[{"name":"TimeGenerated","type":"datetime"}]}]}]})",
                                     "");
  const auto& workspace = config.workspaces.at(0);
  EXPECT_FALSE(workspace.table_writers.has_value());  // absent: any principal of the tenant
  EXPECT_EQ(workspace.tenant_id, "3d6f7a21-0000-4000-8000-000000000001");
  ASSERT_EQ(workspace.tables.size(), 2u);
  EXPECT_EQ(workspace.tables[0].sub_type, TableSubType::Classic);
  EXPECT_EQ(workspace.tables[0].columns.at(1).type, ColumnType::Guid);
  EXPECT_EQ(workspace.tables[1].sub_type, TableSubType::DataCollectionRuleBased);  // the default
}

TEST(Config, RefusesARuleSendingToATableDeclaredClassic) {
  auto message = [](const std::string& text) {
    try {
      parse_config(text, "");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string workspace =
      R"({"id":"w","shared_key":"a2V5","tables":[{"name":"AWSGuardDuty_CL","sub_type":"Classic"}]})";
  const std::string rule = R"({"immutable_id":"d","stream_declarations":{"Custom-S":{"columns":[]}},
      "data_flows":[{"streams":["Custom-S"],"output_stream":"Custom-AWSGuardDuty_CL"}]})";
  const std::string refused =
      message(R"({"dcrs":[)" + rule + R"(],"workspaces":[)" + workspace + "]}");
  EXPECT_NE(refused.find("dcr d"), std::string::npos) << refused;
  EXPECT_NE(refused.find("must be migrated"), std::string::npos) << refused;
  // The same rule into a DataCollectionRuleBased table is fine.
  EXPECT_EQ(
      message(
          R"({"dcrs":[)" + rule +
          R"(],"workspaces":[{"id":"w","shared_key":"a2V5","tables":[{"name":"AWSGuardDuty_CL","sub_type":"DataCollectionRuleBased"}]}]})"),
      "no error");
  EXPECT_NE(
      message(
          R"({"workspaces":[{"id":"w","shared_key":"k","tables":[{"name":"T_CL","sub_type":"Custom"}]}]})")
          .find("sub_type"),
      std::string::npos);
  EXPECT_NE(
      message(
          R"({"workspaces":[{"id":"w","shared_key":"k","tables":[{"name":"Native","sub_type":"Classic"}]}]})")
          .find("ends in _CL"),
      std::string::npos);
  EXPECT_NE(
      message(
          R"({"workspaces":[{"id":"w","shared_key":"k","tables":[{"name":"T_CL","columns":[{"name":"1st","type":"string"}]}]}]})")
          .find("must start with a letter"),
      std::string::npos);
  EXPECT_NE(
      message(
          R"({"workspaces":[{"id":"w","shared_key":"k","resource_id":"/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/rg/providers/Microsoft.Insights/workspaces/ws"}]})")
          .find("Microsoft.OperationalInsights/workspaces/{name}"),
      std::string::npos);
  EXPECT_NE(
      message(
          R"({"workspaces":[{"id":"w","shared_key":"k","resource_id":"/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws"}]})")
          .find("4 to 63"),
      std::string::npos);
  EXPECT_NE(message(R"({"workspaces":[{"id":"w","shared_key":"k","tenant_writers":[]}]})")
                .find("unknown field 'tenant_writers'"),
            std::string::npos);
}

TEST(Config, MapsOutputStreamsToTables) {
  EXPECT_EQ(table_of_output_stream("Microsoft-AWSGuardDuty"), "AWSGuardDuty");
  EXPECT_EQ(table_of_output_stream("Custom-MyTable_CL"), "MyTable_CL");
}

}  // namespace
}  // namespace wsemu
