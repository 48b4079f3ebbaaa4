// From a Logs Ingestion body to rows: the array-of-objects rule, declared
// columns only, types, TimeGenerated.
#include <gtest/gtest.h>

#include "ingestion_rows.h"

namespace wsemu {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z

StreamDeclaration native_stream() {
  return {"Custom-GuardDutyFinding",
          {{"TimeGenerated", ColumnType::Datetime}, {"AccountId", ColumnType::String}, {"Severity", ColumnType::Int},
           {"ResourceDetails", ColumnType::Dynamic}}};
}

IngestOutcome ingest(std::string body, const LogsIngestionSettings& settings = {},
                     const StreamDeclaration& stream = native_stream()) {
  return rows_from_body(body, stream, settings, kNow);
}

TEST(IngestionRows, BuildsTypedRowsInDeclaredColumnOrder) {
  const auto out = ingest(R"([{"Severity":5,"AccountId":"1","TimeGenerated":"2026-03-06T01:19:48.601Z","ResourceDetails":{"a":[1,2]}}])");
  ASSERT_EQ(out.status, 204) << out.message;
  EXPECT_EQ(out.columns, (std::vector<std::string>{"TimeGenerated", "AccountId", "Severity", "ResourceDetails"}));
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(out.rows[0][0]), "2026-03-06T01:19:48.601Z");
  EXPECT_EQ(std::get<std::string>(out.rows[0][1]), "1");
  EXPECT_EQ(std::get<std::int64_t>(out.rows[0][2]), 5);
  EXPECT_EQ(std::get<std::string>(out.rows[0][3]), R"({"a":[1,2]})");
}

TEST(IngestionRows, DropsFieldsTheStreamDoesNotDeclare) {
  const auto out = ingest(R"([{"AccountId":"1","Type":"x","TenantId":"y"}])");
  ASSERT_EQ(out.status, 204);
  EXPECT_EQ(out.ignored_fields, 2u);
  EXPECT_EQ(out.columns.size(), 4u);
}

TEST(IngestionRows, FillsAMissingTimeGeneratedWithTheReceiveTime) {
  const auto out = ingest(R"([{"AccountId":"1"}])");
  EXPECT_EQ(std::get<std::string>(out.rows[0][0]), "2027-01-15T08:00:00Z");
  const auto no_column = ingest(R"([{"Title":"t"}])", {}, {"Custom-X", {{"Title", ColumnType::String}}});
  EXPECT_EQ(no_column.columns, (std::vector<std::string>{"Title", "TimeGenerated"}));
  EXPECT_EQ(std::get<std::string>(no_column.rows[0][1]), "2027-01-15T08:00:00Z");
}

TEST(IngestionRows, KeepsOldTimeGeneratedUnlessAskedToReplaceIt) {
  const std::string body = R"([{"TimeGenerated":"2020-01-01T00:00:00Z"}])";
  EXPECT_EQ(std::get<std::string>(ingest(body).rows[0][0]), "2020-01-01T00:00:00Z");
  LogsIngestionSettings faithful;
  faithful.replace_out_of_range_time_generated = true;
  EXPECT_EQ(std::get<std::string>(ingest(body, faithful).rows[0][0]), "2027-01-15T08:00:00Z");
}

TEST(IngestionRows, RefusesABodyThatIsNotAnArrayOfObjects) {
  EXPECT_EQ(ingest(R"({"AccountId":"1"})").status, 400);
  EXPECT_EQ(ingest(R"([{"AccountId":"1"}, 7])").message, "Record 1 is a number, not a JSON object.");
  EXPECT_EQ(ingest("").message, "The request body is empty.");
  EXPECT_EQ(ingest("[{]").code, "InvalidContent");
  EXPECT_EQ(ingest("[] trailing").status, 400);
  EXPECT_EQ(ingest("[\"\xff\"]").status, 400);  // not UTF-8
}

TEST(IngestionRows, CanAcceptAndDropANonArrayBodyAsTheServiceWasSeenToDo) {
  LogsIngestionSettings lenient;
  lenient.reject_non_array_body = false;
  const auto out = ingest(R"({"AccountId":"1"})", lenient);
  EXPECT_EQ(out.status, 204);
  EXPECT_TRUE(out.rows.empty());
}

TEST(IngestionRows, RefusesAWrongTypeNamingTheRecordAndColumn) {
  const auto out = ingest(R"([{"AccountId":"1"},{"Severity":"high"}])");
  EXPECT_EQ(out.status, 400);
  EXPECT_EQ(out.message, "Record 1, column 'Severity' (int): expected an integer within 32 bits, got a string.");
}

TEST(IngestionRows, CanStoreNullForAWrongType) {
  LogsIngestionSettings lenient;
  lenient.reject_type_mismatch = false;
  const auto out = ingest(R"([{"Severity":"high","AccountId":"1"}])", lenient);
  ASSERT_EQ(out.status, 204);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(out.rows[0][2]));
  EXPECT_EQ(std::get<std::string>(out.rows[0][1]), "1");
}

TEST(IngestionRows, AcceptsAnEmptyArray) {
  const auto out = ingest("[]");
  EXPECT_EQ(out.status, 204);
  EXPECT_TRUE(out.rows.empty());
}

}  // namespace
}  // namespace wsemu
