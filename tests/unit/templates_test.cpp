#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>
#include <string>

#include "aws/operations.h"
#include "templates/azure_template.h"
#include "templates/deployment.h"
#include "transform/schema.h"

namespace gd2s::templates {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

Deployment parent_and_child() {
  Deployment d;
  d.description = "test";
  d.parameters = {{"ws", "the workspace", std::nullopt, {}}};
  Resource parent;
  parent.symbol = "workspace";
  parent.type = "Microsoft.OperationalInsights/workspaces";
  parent.api_version = "2022-10-01";
  parent.existing = true;
  parent.name = Expr{"parameters('ws')", "ws"};
  d.resources.push_back(parent);
  Resource child;
  child.symbol = "table";
  child.type = "Microsoft.OperationalInsights/workspaces/tables";
  child.api_version = "2022-10-01";
  child.parent = "workspace";
  child.name = "T_CL";
  child.body.set("properties", Value::object().set("note", "[not an expression]"));
  d.resources.push_back(child);
  Resource other;
  other.symbol = "rule";
  other.type = "Microsoft.Insights/dataCollectionRules";
  other.api_version = "2023-03-11";
  other.name = "rule";
  other.depends_on = {"table", "workspace"};
  d.resources.push_back(other);
  Resource role;
  role.symbol = "role";
  role.type = "Microsoft.Authorization/roleAssignments";
  role.api_version = "2022-04-01";
  role.scope = "rule";
  role.name = Expr{"guid('x')", "guid('x')"};
  d.resources.push_back(role);
  return d;
}

TEST(Deployment, ArmJoinsChildNamesAndLeavesExistingResourcesOut) {
  std::string arm = to_arm(parent_and_child());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(arm).get(doc)) << arm;
  simdjson::dom::array resources;
  ASSERT_FALSE(doc["resources"].get(resources));
  EXPECT_EQ(resources.size(), 3u);  // the existing workspace is not deployed
  EXPECT_TRUE(contains(arm, R"("name": "[format('{0}/{1}', parameters('ws'), 'T_CL')]")")) << arm;
  // The rule depends on the table (by both name parts) but not on the existing workspace.
  EXPECT_TRUE(contains(
      arm,
      R"("[resourceId('Microsoft.OperationalInsights/workspaces/tables', parameters('ws'), 'T_CL')]")"))
      << arm;
  EXPECT_FALSE(contains(
      arm, R"("[resourceId('Microsoft.OperationalInsights/workspaces', parameters('ws'))]")"))
      << arm;
  // An extension resource names its scope and depends on it.
  EXPECT_TRUE(
      contains(arm, R"("scope": "Microsoft.Insights/dataCollectionRules/rule")") ||
      contains(arm, R"("scope": "[format('Microsoft.Insights/dataCollectionRules/{0}', 'rule')]")"))
      << arm;
  EXPECT_TRUE(contains(arm, R"("[resourceId('Microsoft.Insights/dataCollectionRules', 'rule')]")"))
      << arm;
}

TEST(Deployment, ArmEscapesALiteralThatLooksLikeAnExpression) {
  std::string arm = to_arm(parent_and_child());
  EXPECT_TRUE(contains(arm, R"("note": "[[not an expression]")")) << arm;
  std::string bicep = to_bicep(parent_and_child());
  EXPECT_TRUE(contains(bicep, "note: '[not an expression]'")) << bicep;
}

TEST(Deployment, BicepUsesParentScopeAndExistingAndEscapesStrings) {
  Deployment d = parent_and_child();
  d.resources[1].body.set("text", "it's a \\ and ${x}\nnext");
  d.outputs = {{"out", "an output", Value("plain")}};
  std::string bicep = to_bicep(d);
  EXPECT_TRUE(contains(bicep,
                       "resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' "
                       "existing = {\n  name: ws\n}"))
      << bicep;
  EXPECT_TRUE(contains(bicep, "  parent: workspace\n  name: 'T_CL'\n")) << bicep;
  EXPECT_TRUE(contains(bicep, "  scope: rule\n")) << bicep;
  EXPECT_TRUE(contains(bicep, R"(text: 'it\'s a \\ and \${x}\nnext')")) << bicep;
  EXPECT_TRUE(contains(bicep, "@description('the workspace')\nparam ws string\n")) << bicep;
  EXPECT_TRUE(contains(bicep, "@description('an output')\noutput out string = 'plain'\n")) << bicep;
  // Dependencies Bicep cannot infer are written; a scope's is inferred.
  EXPECT_TRUE(contains(bicep, "  dependsOn: [\n    table\n    workspace\n  ]\n")) << bicep;
}

TEST(AzureTemplate, TheTransformProjectsEveryColumnInOrder) {
  for (const char* name : {"native", "legacy"}) {
    SchemaPtr schema = make_schema(name);
    std::string kql = transform_kql(*schema);
    std::string expected = "source | project ";
    for (size_t i = 0; i < schema->columns().size(); ++i)
      expected += (i ? ", " : "") + std::string(schema->columns()[i].name);
    EXPECT_EQ(kql, expected);
    EXPECT_LE(kql.size(), kMaxTransformChars);
  }
}

TEST(AzureTemplate, NativeSendsTheStreamToTheBuiltInTableWithoutCreatingOne) {
  SchemaPtr schema = make_schema("native");
  std::string arm = to_arm(azure_deployment(*schema));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(arm).get(doc));
  EXPECT_FALSE(contains(arm, "workspaces/tables"));
  EXPECT_TRUE(contains(arm, R"("outputStream": "Microsoft-AWSGuardDuty")"));
  EXPECT_TRUE(contains(arm, R"("Custom-GuardDutyFinding": {)"));
  EXPECT_TRUE(contains(arm, R"("kind": "Direct")"));
  EXPECT_TRUE(contains(arm, kMonitoringMetricsPublisherRoleId));
  std::string_view config;
  ASSERT_FALSE(doc["outputs"]["gd2sentinelConfig"]["value"].get(config));
  EXPECT_TRUE(contains(std::string(config), "stream = \"Custom-GuardDutyFinding\"\n"));
  EXPECT_TRUE(contains(std::string(config), "schema = \"native\"\n"));
}

TEST(AzureTemplate, LegacyCreatesTheTableWithEveryColumnBeforeTheRule) {
  SchemaPtr schema = make_schema("legacy");
  std::string arm = to_arm(azure_deployment(*schema));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(arm).get(doc));
  simdjson::dom::array resources;
  ASSERT_FALSE(doc["resources"].get(resources));
  size_t table_columns = 0;
  bool rule_waits_for_table = false;
  for (simdjson::dom::element r : resources) {
    std::string_view type;
    ASSERT_FALSE(r["type"].get(type));
    if (type == "Microsoft.OperationalInsights/workspaces/tables") {
      simdjson::dom::array columns;
      ASSERT_FALSE(r["properties"]["schema"]["columns"].get(columns));
      table_columns = columns.size();
      std::string_view first_type;
      ASSERT_FALSE(columns.at(0)["type"].get(first_type));
      EXPECT_EQ(first_type, "dateTime");  // the Tables API's spelling
    }
    if (type == "Microsoft.Insights/dataCollectionRules") {
      simdjson::dom::array depends;
      rule_waits_for_table = !r["dependsOn"].get(depends) && depends.size() == 1;
    }
  }
  EXPECT_EQ(table_columns, schema->columns().size());
  EXPECT_TRUE(rule_waits_for_table);
  EXPECT_TRUE(contains(arm, R"("outputStream": "Custom-AWSGuardDuty_CL")"));
}

TEST(AzureTemplate, ExistingTableModeHoldsOnlyTheRuleAndTheRoleForTheSameTable) {
  SchemaPtr schema = make_schema("legacy");
  std::string arm = to_arm(azure_deployment(*schema, true));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(arm).get(doc));
  simdjson::dom::array resources;
  ASSERT_FALSE(doc["resources"].get(resources));
  std::multiset<std::string> types;
  for (simdjson::dom::element r : resources) {
    std::string_view type;
    ASSERT_FALSE(r["type"].get(type));
    types.insert(std::string(type));
    if (type == "Microsoft.Insights/dataCollectionRules") {
      simdjson::dom::array depends;
      EXPECT_TRUE(r["dependsOn"].get(depends) || depends.size() == 0)
          << "the rule must not wait for a table the deployment does not create";
    }
  }
  EXPECT_EQ(types.count("Microsoft.OperationalInsights/workspaces/tables"), 0u);
  EXPECT_EQ(types.count("Microsoft.Insights/dataCollectionRules"), 1u);
  EXPECT_EQ(types.count("Microsoft.Authorization/roleAssignments"), 1u);
  EXPECT_TRUE(contains(arm, R"("outputStream": "Custom-AWSGuardDuty_CL")"));
  EXPECT_TRUE(contains(arm, kMonitoringMetricsPublisherRoleId));
  // The same stream and transform as the full template: rows do not depend on the mode.
  EXPECT_TRUE(contains(arm, transform_kql(*schema).substr(0, 200)));
  EXPECT_THROW(azure_deployment(*make_schema("native"), true), std::invalid_argument);
}

}  // namespace
}  // namespace gd2s::templates

namespace gd2s::aws {
namespace {

TEST(AwsOperations, ThePolicyGrantsExactlyTheActionsOfTheOperations) {
  std::set<std::string> wanted;
  for (const Operation& op : operations()) wanted.insert(std::string(op.iam_action));
  std::string policy = least_privilege_policy_json();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(policy).get(doc)) << policy;
  std::set<std::string> granted;
  simdjson::dom::array statements;
  ASSERT_FALSE(doc["Statement"].get(statements));
  // "*" only for actions IAM offers no resource for (guardduty:ListDetectors).
  auto takes_no_resource = [](std::string_view action) {
    for (const Operation& op : operations())
      if (op.iam_action == action) return op.resource == IamResource::kAllResources;
    return false;
  };
  for (simdjson::dom::element statement : statements) {
    std::string_view resource;
    ASSERT_FALSE(statement["Resource"].get(resource));
    simdjson::dom::array actions;
    ASSERT_FALSE(statement["Action"].get(actions));
    for (simdjson::dom::element action : actions) {
      std::string_view name;
      ASSERT_FALSE(action.get(name));
      EXPECT_EQ(name.find('*'), std::string_view::npos) << name;
      if (resource == "*") {
        EXPECT_TRUE(takes_no_resource(name)) << name << " on \"*\"";
      }
      granted.insert(std::string(name));
    }
  }
  EXPECT_EQ(granted, wanted);
}

TEST(AwsOperations, EveryOperationIsListedOnce) {
  std::set<std::string> seen;
  for (const Operation& op : operations())
    EXPECT_TRUE(seen.insert(std::string(op.service) + ":" + std::string(op.api)).second) << op.api;
  EXPECT_EQ(seen.size(), operations().size());
}

}  // namespace
}  // namespace gd2s::aws
