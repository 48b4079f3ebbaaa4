#include "transform/schema.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>

#include "decode/finding_decoder.h"
#include "transform/legacy_schema.h"

namespace gd2s {
namespace {

std::vector<std::pair<std::string, std::string>> columns_of(const Schema& schema) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const Column& c : schema.columns())
    out.emplace_back(std::string(c.name), std::string(column_type_name(c.type)));
  return out;
}

TEST(NativeSchema, HasExactlyTheAWSGuardDutyColumns) {
  auto schema = make_schema("native");
  EXPECT_EQ(schema->table(), "AWSGuardDuty");
  std::vector<std::pair<std::string, std::string>> expected{{"TimeGenerated", "datetime"},
                                                            {"TimeCreated", "datetime"},
                                                            {"AccountId", "string"},
                                                            {"ActivityType", "string"},
                                                            {"Arn", "string"},
                                                            {"Description", "string"},
                                                            {"Id", "string"},
                                                            {"Partition", "string"},
                                                            {"Region", "string"},
                                                            {"ResourceDetails", "dynamic"},
                                                            {"SchemaVersion", "string"},
                                                            {"ServiceDetails", "dynamic"},
                                                            {"Severity", "int"},
                                                            {"Title", "string"}};
  EXPECT_EQ(columns_of(*schema), expected);
}

const char* kFinding =
    R"({"schemaVersion":"2.0","accountId":"111122223333","region":"eu-west-1","partition":"aws",)"
    R"("id":"abc","arn":"arn:x","type":"UnauthorizedAccess:EC2/SSHBruteForce",)"
    R"("resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"i-1","platform":null,)"
    R"("launchTime":"2026-01-01T10:00:00Z","tags":[{"key":"k","value":"v"}],)"
    R"("iamInstanceProfile":{"arn":"arn:aws:iam::1:instance-profile/p","id":"AIPA"}},)"
    R"("eksClusterDetails":{"createdAt":1.636625755218E9}},)"
    R"("service":{"serviceName":"guardduty","resourceRole":"TARGET","archived":false,"count":3,)"
    R"("action":{"actionType":"AWS_API_CALL","awsApiCallAction":{"affectedResources":{"AWS::S3::Bucket":"b"},)"
    R"("remoteIpDetails":{"ipAddressV4":"198.51.100.7"}}},)"
    R"("runtimeDetails":{"process":{"uuid":"8f580cf1-a752-412c-a31e-5c112901150c"}}},)"
    R"("severity":2.9,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-02T03:04:05.678Z",)"
    R"("title":"SSH brute force"})";

std::string row_for(const std::string& schema_name, const std::string& text = kFinding) {
  FindingDecoder decoder;
  auto result = decoder.decode(text);
  const Finding& f = std::get<Finding>(result);
  std::string row;
  make_schema(schema_name)->write_row(f, enrich(f), row);
  return row;
}

TEST(NativeSchema, MapsTheFindingOntoTheColumns) {
  EXPECT_EQ(
      row_for("native"),
      R"({"TimeGenerated":"2026-01-02T03:04:05.678Z","TimeCreated":"2026-01-01T00:00:00.000Z",)"
      R"("AccountId":"111122223333","ActivityType":"UnauthorizedAccess:EC2/SSHBruteForce",)"
      R"("Arn":"arn:x","Id":"abc","Partition":"aws","Region":"eu-west-1",)"
      R"("ResourceDetails":{"resourceType":"Instance","instanceDetails":{"instanceId":"i-1","platform":null,)"
      R"("launchTime":"2026-01-01T10:00:00Z","tags":[{"key":"k","value":"v"}],)"
      R"("iamInstanceProfile":{"arn":"arn:aws:iam::1:instance-profile/p","id":"AIPA"}},)"
      R"("eksClusterDetails":{"createdAt":1636625755.218}},"SchemaVersion":"2.0",)"
      R"("ServiceDetails":{"serviceName":"guardduty","resourceRole":"TARGET","archived":false,"count":3,)"
      R"("action":{"actionType":"AWS_API_CALL","awsApiCallAction":{"affectedResources":{"AWS::S3::Bucket":"b"},)"
      R"("remoteIpDetails":{"ipAddressV4":"198.51.100.7"}}},)"
      R"("runtimeDetails":{"process":{"uuid":"8f580cf1-a752-412c-a31e-5c112901150c"}}},)"
      R"("Severity":2,"Title":"SSH brute force"})");
}

TEST(LegacySchema, FlattensLikeTheDataCollectorApi) {
  simdjson::dom::parser parser;
  std::string row = row_for("legacy");
  simdjson::dom::object o = parser.parse(row).get_object().value();
  EXPECT_EQ(std::string_view(o["TimeGenerated"]), "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(double(o["Severity"]), 2.9);
  EXPECT_EQ(std::string_view(o["SeverityLabel_s"]), "Low");
  EXPECT_EQ(std::string_view(o["ThreatPurpose_s"]), "UnauthorizedAccess");
  EXPECT_EQ(std::string_view(o["Tactics_s"]), "CredentialAccess");
  EXPECT_EQ(std::string_view(o["type_s"]), "UnauthorizedAccess:EC2/SSHBruteForce");
  EXPECT_EQ(std::string_view(o["title_s"]), "SSH brute force");
  EXPECT_EQ(std::string_view(o["resource_resourceType_s"]), "Instance");
  EXPECT_EQ(std::string_view(o["service_resourceRole_s"]), "TARGET");
  EXPECT_EQ(std::string_view(o["createdAt_t"]), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(std::string_view(o["resource_instanceDetails_launchTime_t"]),
            "2026-01-01T10:00:00.000Z");
  EXPECT_EQ(int64_t(o["service_count_d"]), 3);
  EXPECT_EQ(bool(o["service_archived_b"]), false);
  EXPECT_EQ(double(o["severity_d"]), 2.9);
  // Arrays become JSON text; nulls are left out.
  EXPECT_EQ(std::string_view(o["resource_instanceDetails_tags_s"]), R"([{"key":"k","value":"v"}])");
  EXPECT_TRUE(o["resource_instanceDetails_platform_s"].error());
  // Declared columns only; the rest goes to AdditionalFields under its flattened name.
  simdjson::dom::object extra = o["AdditionalFields"].get_object().value();
  EXPECT_EQ(std::string_view(extra["resource_instanceDetails_iamInstanceProfile_arn_s"]),
            "arn:aws:iam::1:instance-profile/p");
  EXPECT_EQ(
      std::string_view(extra["service_action_awsApiCallAction_remoteIpDetails_ipAddressV4_s"]),
      "198.51.100.7");
  EXPECT_EQ(std::string_view(
                extra["service_action_awsApiCallAction_affectedResources_AWS__S3__Bucket_s"]),
            "b");
  EXPECT_EQ(std::string_view(extra["service_runtimeDetails_process_uuid_g"]),
            "8f580cf1-a752-412c-a31e-5c112901150c");
  EXPECT_EQ(double(o["resource_eksClusterDetails_createdAt_d"]), 1636625755.218);
}

TEST(LegacySchema, TwoKeysThatFlattenToOneNameKeepTheFirstAndTheLaterByItsPath) {
  // "service_resourceRole" at the top flattens as service.resourceRole does (a declared
  // column); "x-y" and "x_y" in additionalInfo flatten to one undeclared name.
  std::string text = kFinding;
  text.insert(text.rfind('}'), R"(,"service_resourceRole":"TOP")");
  text.replace(text.find(R"("archived":false)"), 16,
               R"("archived":false,"additionalInfo":{"x-y":"first","x_y":"second"})");
  simdjson::dom::parser parser;
  std::string row = row_for("legacy", text);
  simdjson::dom::object o = parser.parse(row).get_object().value();
  EXPECT_EQ(std::string_view(o["service_resourceRole_s"]), "TARGET") << row;
  simdjson::dom::object extra = o["AdditionalFields"].get_object().value();
  EXPECT_EQ(std::string_view(extra["service_resourceRole"]), "TOP") << row;
  EXPECT_EQ(std::string_view(extra["service_additionalInfo_x_y_s"]), "first") << row;
  EXPECT_EQ(std::string_view(extra["service.additionalInfo.x_y"]), "second") << row;
}

TEST(LegacySchema, HundredsOfUndeclaredNamesAreEachKeptOnceInEveryRow) {
  // 300 undeclared names in one row, and "k-7" after "k_7": the later one by its path. The
  // second row, written by the same thread, starts with none of the first row's names used.
  std::string info;
  for (int i = 0; i < 300; ++i)
    info += "\"k_" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  info += R"("k-7":-7)";
  std::string text = kFinding;
  text.replace(text.find(R"("archived":false)"), 16,
               R"("archived":false,"additionalInfo":{)" + info + "}");
  for (int row_number = 1; row_number <= 2; ++row_number) {
    simdjson::dom::parser parser;
    std::string row = row_for("legacy", text);
    simdjson::dom::object extra =
        parser.parse(row).get_object().value()["AdditionalFields"].get_object().value();
    for (int i = 0; i < 300; ++i) {
      std::string name = "service_additionalInfo_k_" + std::to_string(i) + "_d";
      ASSERT_EQ(int64_t(extra[name]), i) << "row " << row_number << ": " << name;
    }
    EXPECT_EQ(int64_t(extra["service.additionalInfo.k-7"]), -7) << row_number;
    size_t ours = 0;
    for (auto member : extra)
      ours += member.key.find("additionalInfo_k_") != std::string_view::npos ||
                      member.key.find("additionalInfo.k") != std::string_view::npos
                  ? 1
                  : 0;
    EXPECT_EQ(ours, 301u) << "each name once, row " << row_number;
  }
}

TEST(LegacySchema, EveryRowKeyIsADeclaredColumnWithinTheNameLimit) {
  auto schema = make_schema("legacy");
  std::set<std::string> declared;
  for (const Column& c : schema->columns()) {
    EXPECT_LE(c.name.size(), kMaxColumnNameLength) << c.name;
    declared.insert(std::string(c.name));
  }
  simdjson::dom::parser parser;
  std::string row = row_for("legacy");
  simdjson::dom::object fields = parser.parse(row).get_object().value();
  for (auto field : fields) EXPECT_TRUE(declared.contains(std::string(field.key))) << field.key;
  EXPECT_LT(declared.size(), 500u);
}

TEST(LegacySchema, ClassicQueryColumnsArePresentWithTheirTypes) {
  auto schema = make_schema("legacy");
  std::map<std::string, std::string> types;
  for (const Column& c : schema->columns())
    types[std::string(c.name)] = std::string(column_type_name(c.type));
  // AWSGuardDuty_CL | where Severity > 2 | project TimeGenerated, Severity, type_s, title_s,
  //   resource_resourceType_s, service_resourceRole_s
  EXPECT_EQ(types["TimeGenerated"], "datetime");
  EXPECT_EQ(types["Severity"], "real");
  EXPECT_EQ(types["type_s"], "string");
  EXPECT_EQ(types["title_s"], "string");
  EXPECT_EQ(types["resource_resourceType_s"], "string");
  EXPECT_EQ(types["service_resourceRole_s"], "string");
}

TEST(Schema, PrintsItsColumnsAsJson) {
  auto schema = make_schema("native");
  simdjson::dom::parser parser;
  std::string json = schema_to_json(*schema);
  auto doc = parser.parse(json).get_object().value();
  EXPECT_EQ(std::string_view(doc["name"]), "native");
  EXPECT_EQ(std::string_view(doc["table"]), "AWSGuardDuty");
  EXPECT_EQ(doc["columns"].get_array().value().size(), 14u);
  EXPECT_FALSE(make_schema("other"));
}

}  // namespace
}  // namespace gd2s
