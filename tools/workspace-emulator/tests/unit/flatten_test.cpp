// The Data Collector's columns: '_'-joined paths, type suffixes, arrays as
// JSON text, nulls left out, "Computer" kept, 32 KB values.
#include "flatten.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace wsemu {
namespace {

std::vector<DcField> flatten(const char* json, std::size_t max = 32768) {
  rapidjson::Document doc;
  doc.Parse(json);
  return flatten_record(doc, max);
}

std::vector<std::string> names(const std::vector<DcField>& fields) {
  std::vector<std::string> out;
  for (const auto& f : fields) out.push_back(f.column);
  return out;
}

TEST(Flatten, SuffixesByValueType) {
  const auto fields =
      flatten(R"({"title":"t","score":5.5,"archived":true,"updatedAt":"2026-03-06T01:19:48.601Z",
                                 "id":"9db4179b-17de-4b3b-ae68-aba7a524feba"})");
  EXPECT_EQ(names(fields),
            (std::vector<std::string>{"title_s", "score_d", "archived_b", "updatedAt_t", "id_g"}));
  EXPECT_EQ(fields[1].number, 5.5);
  EXPECT_TRUE(fields[2].boolean);
}

TEST(Flatten, JoinsNestedKeysWithUnderscores) {
  EXPECT_EQ(names(flatten(
                R"({"service":{"resourceRole":"TARGET","action":{"actionType":"PORT_PROBE"}}})")),
            (std::vector<std::string>{"service_resourceRole_s", "service_action_actionType_s"}));
}

TEST(Flatten, StoresArraysAsJsonText) {
  const auto fields = flatten(R"({"resource":{"tags":[{"key":"Name","value":"web"}]}})");
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].column, "resource_tags_s");
  EXPECT_EQ(fields[0].text, R"([{"key":"Name","value":"web"}])");
}

TEST(Flatten, LeavesOutNullsAndEmptyObjects) {
  EXPECT_TRUE(flatten(R"({"a":null,"b":{}})").empty());
}

TEST(Flatten, KeepsAStringComputerColumnWithoutSuffix) {
  EXPECT_EQ(names(flatten(R"({"Computer":"host1","inner":{"Computer":"x"}})")),
            (std::vector<std::string>{"Computer", "inner_Computer_s"}));
}

TEST(Flatten, PutsATopLevelNumericSeverityInSeverityWithoutSuffix) {
  // GuardDuty findings carry "severity": 8; the classic AWSGuardDuty_CL has a real Severity column.
  const auto fields = flatten(R"({"severity":8,"type":"Recon:EC2/PortProbeUnprotectedPort"})");
  EXPECT_EQ(names(fields), (std::vector<std::string>{"Severity", "type_s"}));
  EXPECT_EQ(fields[0].type, DcType::Double);
  EXPECT_EQ(fields[0].number, 8.0);
  EXPECT_EQ(names(flatten(R"({"SEVERITY":2.5})")), std::vector<std::string>{"Severity"});
  // Only a number at the top level: a string severity and a nested one keep the suffix naming.
  EXPECT_EQ(names(flatten(R"({"severity":"High","service":{"severity":5}})")),
            (std::vector<std::string>{"severity_s", "service_severity_d"}));
}

TEST(Flatten, ReplacesCharactersColumnsCannotHold) {
  EXPECT_EQ(names(flatten(R"({"tags":{"AWS::S3::Bucket":"b","a-b c":"x"}})")),
            (std::vector<std::string>{"tags_AWS__S3__Bucket_s", "tags_a_b_c_s"}));
}

TEST(Flatten, CutsLongValuesAtACharacterBoundary) {
  const auto fields = flatten(R"({"t":"aé"})", 2);
  EXPECT_EQ(fields[0].text, "a");
  EXPECT_EQ(truncate_utf8("abc", 10), "abc");
}

}  // namespace
}  // namespace wsemu
