#include "decode/finding_decoder.h"

#include <gtest/gtest.h>

namespace gd2s {
namespace {

// A minimal valid finding; tests replace or remove pieces of it.
std::string finding(const std::string& extra = "", const std::string& severity = "5.3") {
  return R"({"schemaVersion":"2.0","accountId":"111122223333","region":"us-east-1",)"
         R"("partition":"aws","id":"f00d","arn":"arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/f00d",)"
         R"("type":"Recon:EC2/Portscan","resource":{"resourceType":"Instance"},)"
         R"("service":{"archived":false,"resourceRole":"ACTOR","action":{"actionType":"NETWORK_CONNECTION"},"additionalInfo":{}},)"
         R"("severity":)" +
         severity +
         R"(,"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-02T00:00:00Z")" + extra +
         "}";
}

std::string without(std::string text, const std::string& piece) {
  text.erase(text.find(piece), piece.size());
  return text;
}

std::string failure_of(const std::string& text) {
  FindingDecoder decoder;
  auto result = decoder.decode(text);
  if (auto* f = std::get_if<DecodeFailure>(&result)) return f->reason;
  return "(decoded)";
}

TEST(FindingDecoder, DecodesTheTopLevelFields) {
  FindingDecoder decoder;
  auto result = decoder.decode(finding(R"(,"title":"t","confidence":5)"));
  ASSERT_TRUE(std::holds_alternative<Finding>(result)) << std::get<DecodeFailure>(result).reason;
  const Finding& f = std::get<Finding>(result);
  EXPECT_EQ(f.id, "f00d");
  EXPECT_EQ(f.type, "Recon:EC2/Portscan");
  EXPECT_DOUBLE_EQ(f.severity, 5.3);
  EXPECT_EQ(f.confidence, 5.0);
  EXPECT_EQ(f.title, "t");
  EXPECT_EQ(f.resource_type, "Instance");
  EXPECT_EQ(f.action_type, "NETWORK_CONNECTION");
  EXPECT_EQ(f.resource_role, "ACTOR");
  EXPECT_EQ(format_iso8601(f.updated_at), "2026-01-02T00:00:00.000Z");
  EXPECT_FALSE(f.sample);
  EXPECT_FALSE(f.archived);
}

TEST(FindingDecoder, ReadsIntegerSeverities) {
  FindingDecoder decoder;
  auto result = decoder.decode(finding("", "8"));
  ASSERT_TRUE(std::holds_alternative<Finding>(result));
  EXPECT_DOUBLE_EQ(std::get<Finding>(result).severity, 8.0);
}

TEST(FindingDecoder, SeesSampleFindingsInBothShapesOfAdditionalInfo) {
  FindingDecoder decoder;
  std::string object_shape = finding();
  object_shape.replace(object_shape.find("\"additionalInfo\":{}"), 19,
                       "\"additionalInfo\":{\"sample\":true}");
  EXPECT_TRUE(std::get<Finding>(decoder.decode(object_shape)).sample);
  std::string api_shape = finding();
  api_shape.replace(api_shape.find("\"additionalInfo\":{}"), 19,
                    R"("additionalInfo":{"value":"{\"sample\":true}","type":"default"})");
  EXPECT_TRUE(std::get<Finding>(decoder.decode(api_shape)).sample);
}

TEST(FindingDecoder, NamesTheMissingRequiredField) {
  EXPECT_EQ(failure_of(without(finding(), "\"accountId\":\"111122223333\",")),
            "required field \"accountId\" is missing");
  EXPECT_EQ(failure_of(without(finding(), "\"resource\":{\"resourceType\":\"Instance\"},")),
            "required field \"resource\" is missing");
}

TEST(FindingDecoder, NamesWrongTypes) {
  EXPECT_EQ(failure_of(finding("", "\"high\"")),
            "field \"severity\" is a string, expected a number");
  std::string text = finding();
  text.replace(text.find("\"id\":\"f00d\""), 11, "\"id\":42");
  EXPECT_EQ(failure_of(text), "field \"id\" is a number, expected a string");
  std::string bad_time = finding();
  bad_time.replace(bad_time.find("\"2026-01-02T00:00:00Z\""), 22, "\"last tuesday\"");
  EXPECT_EQ(failure_of(bad_time), "field \"updatedAt\" is not a valid time: \"last tuesday\"");
  std::string resource_array = finding();
  resource_array.replace(resource_array.find("{\"resourceType\":\"Instance\"}"), 27, "[]");
  EXPECT_EQ(failure_of(resource_array), "field \"resource\" is an array, expected an object");
}

TEST(FindingDecoder, RefusesDuplicateKeysWithTheirPath) {
  EXPECT_EQ(failure_of(finding(R"(,"id":"other")")), "duplicate key \"id\" in the finding");
  std::string nested = finding();
  nested.replace(
      nested.find("{\"resourceType\":\"Instance\"}"), 27,
      R"({"resourceType":"Instance","instanceDetails":{"instanceId":"i-1","instanceId":"i-2"}})");
  EXPECT_EQ(failure_of(nested), "duplicate key \"instanceId\" in \"resource.instanceDetails\"");
}

TEST(FindingDecoder, ExplainsBrokenJson) {
  EXPECT_EQ(failure_of("not json"), "not valid JSON: unexpected text where a value should be");
  EXPECT_EQ(failure_of(finding().substr(0, 60)), "not valid JSON: a string is not closed");
  EXPECT_EQ(failure_of("{\"id\":\"a\","), "not valid JSON: the structure is broken or cut short");
  EXPECT_EQ(failure_of("[1,2]"), "record is an array, expected a finding object");
  EXPECT_EQ(failure_of("\"text\""), "record is a string, expected a finding object");
  EXPECT_EQ(failure_of(finding(",\"title\":\"caf\xC3\x28\"")), "not valid UTF-8");
  std::string deep = std::string(100, '[') + std::string(100, ']');
  EXPECT_EQ(failure_of(finding(",\"deep\":" + deep)), "JSON nests deeper than 64 levels");
}

TEST(FindingDecoder, TreatsNullAsAbsent) {
  EXPECT_EQ(failure_of(finding(R"(,"title":null)")), "(decoded)");
  std::string null_id = finding();
  null_id.replace(null_id.find("\"id\":\"f00d\""), 11, "\"id\":null");
  EXPECT_EQ(failure_of(null_id), "required field \"id\" is missing");
}

TEST(FindingDecoder, AcceptsScientificNotationInNestedTimestamps) {
  std::string text = finding();
  text.replace(
      text.find("{\"resourceType\":\"Instance\"}"), 27,
      R"({"resourceType":"EKSCluster","eksClusterDetails":{"createdAt":1.636625755218E9}})");
  FindingDecoder decoder;
  auto result = decoder.decode(text);
  ASSERT_TRUE(std::holds_alternative<Finding>(result));
  EXPECT_NE(simdjson::minify(std::get<Finding>(result).resource).find("1636625755.218"),
            std::string::npos);
}

}  // namespace
}  // namespace gd2s
