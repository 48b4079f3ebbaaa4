// What ARM requests change at run time: the rule set (PUT keeps a rule's identity, readers
// see whole rules while writers replace them), scopes of role assignments, and Monitoring
// Metrics Publisher.
#include "deployments.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace wsemu {
namespace {

constexpr const char* kGroup =
    "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-test";

DataCollectionRule rule(const std::string& name, const std::string& immutable_id,
                        std::size_t columns) {
  DataCollectionRule dcr;
  dcr.immutable_id = immutable_id;
  dcr.resource_id =
      std::string(kGroup) + "/providers/Microsoft.Insights/dataCollectionRules/" + name;
  StreamDeclaration stream{"Custom-S", {}};
  for (std::size_t i = 0; i < columns; ++i)
    stream.columns.push_back({"c" + std::to_string(i), ColumnType::String});
  dcr.streams.emplace("Custom-S", stream);
  return dcr;
}

TEST(RuleSet, PutAddsARuleOrReplacesItKeepingItsIdentity) {
  DataCollectionRule configured = rule("configured", "dcr-1", 1);
  configured.publishers = {"p"};
  RuleSet rules({configured});
  ASSERT_NE(rules.find("dcr-1"), nullptr);
  EXPECT_EQ(
      rules.find_by_resource_id(std::string(kGroup) +
                                "/providers/microsoft.insights/DATACOLLECTIONRULES/CONFIGURED"),
      rules.find("dcr-1"));
  // The same id again: the definition changes, the immutable id and publishers stay.
  auto replaced = rules.put(rule("CONFIGURED", "dcr-2", 3));
  EXPECT_EQ(replaced->immutable_id, "dcr-1");
  EXPECT_EQ(replaced->publishers, std::vector<std::string>{"p"});
  EXPECT_EQ(replaced->streams.at("Custom-S").columns.size(), 3u);
  EXPECT_EQ(rules.find("dcr-2"), nullptr);
  rules.put(rule("other", "dcr-3", 1));
  EXPECT_EQ(rules.all().size(), 2u);
}

TEST(RuleSet, ReadersSeeWholeRulesWhileARuleIsReplaced) {
  RuleSet rules({rule("r", "dcr-1", 1)});
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!done) {
      const auto dcr = rules.find("dcr-1");
      const auto& columns = dcr->streams.at("Custom-S").columns;
      // Each version has columns c0…c(n-1), n its own: a torn rule would not.
      for (std::size_t i = 0; i < columns.size(); ++i) {
        if (columns[i].name != "c" + std::to_string(i)) ++torn;
      }
    }
  });
  for (std::size_t n = 1; n <= 2000; ++n) rules.put(rule("r", "ignored", n % 17 + 1));
  done = true;
  reader.join();
  EXPECT_EQ(torn, 0);
  EXPECT_EQ(rules.find("dcr-1")->streams.at("Custom-S").columns.size(), 2000 % 17 + 1);
}

TEST(RoleAssignments, PublisherAtTheRuleOrAScopeAboveIt) {
  const std::string dcr =
      std::string(kGroup) + "/providers/Microsoft.Insights/dataCollectionRules/r";
  const std::string publisher =
      "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/"
      "3913510d-42f4-4e42-8a64-420c390055eb";
  RoleAssignments roles;
  TokenCheck token;
  token.object_id = "5b3f7c2e-0000-4000-8000-000000000003";
  token.app_id = "0e9c4d1a-0000-4000-8000-000000000002";
  EXPECT_FALSE(roles.publisher(dcr, token));
  EXPECT_TRUE(roles.put({"a1", dcr + "2", publisher, token.object_id, "ServicePrincipal", "", ""}));
  EXPECT_FALSE(roles.publisher(dcr, token));  // r2 is not r
  EXPECT_TRUE(roles.put({"a2", dcr, publisher + "x", token.object_id, "ServicePrincipal", "", ""}));
  EXPECT_FALSE(roles.publisher(dcr, token));  // another role
  EXPECT_TRUE(roles.put({"a3", kGroup, publisher, token.app_id, "ServicePrincipal", "", ""}));
  EXPECT_TRUE(roles.publisher(dcr, token));  // the group's, by client id
  EXPECT_FALSE(roles.put({"a4", kGroup, publisher, token.app_id, "ServicePrincipal", "", ""}));
  EXPECT_TRUE(roles.put({"a3", kGroup, publisher, token.app_id, "ServicePrincipal", "", ""}));
}

TEST(RoleAssignments, ScopesCoverOnSegmentBoundaries) {
  EXPECT_TRUE(scope_covers("/subscriptions/S", "/subscriptions/s/resourceGroups/g"));
  EXPECT_TRUE(scope_covers("/subscriptions/s/", "/subscriptions/s"));
  EXPECT_FALSE(scope_covers("/subscriptions/s", "/subscriptions/s2/resourceGroups/g"));
  EXPECT_FALSE(
      scope_covers("/subscriptions/s/resourceGroups/g/x", "/subscriptions/s/resourceGroups/g"));
}

}  // namespace
}  // namespace wsemu
