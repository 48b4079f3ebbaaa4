// Column types of stream declarations and which JSON values they accept.
#include "column_types.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace wsemu {
namespace {

bool accepts(ColumnType type, const char* json) {
  rapidjson::Document doc;
  doc.Parse(json);
  EXPECT_FALSE(doc.HasParseError()) << json;
  return value_matches(type, doc, nullptr);
}

TEST(ColumnTypes, ParsesTheDcrAndTablesApiNames) {
  EXPECT_EQ(parse_column_type("string"), ColumnType::String);
  EXPECT_EQ(parse_column_type("int"), ColumnType::Int);
  EXPECT_EQ(parse_column_type("long"), ColumnType::Long);
  EXPECT_EQ(parse_column_type("real"), ColumnType::Real);
  EXPECT_EQ(parse_column_type("boolean"), ColumnType::Boolean);
  EXPECT_EQ(parse_column_type("dateTime"), ColumnType::Datetime);
  EXPECT_EQ(parse_column_type("dynamic"), ColumnType::Dynamic);
  EXPECT_EQ(parse_column_type("guid"), ColumnType::String);
  EXPECT_FALSE(parse_column_type("decimal").has_value());
}

TEST(ColumnTypes, TablesKeepGuidAsItsOwnType) {
  // The Tables API and the Data Collector's _g columns have guid; streams read it as string.
  EXPECT_EQ(parse_table_column_type("GUID"), ColumnType::Guid);
  EXPECT_EQ(to_string(ColumnType::Guid), "guid");
  EXPECT_EQ(parse_table_column_type("dateTime"), ColumnType::Datetime);
  EXPECT_FALSE(parse_table_column_type("decimal").has_value());
  rapidjson::Document doc;
  doc.Parse(R"(["9db4179b-17de-4b3b-ae68-aba7a524feba", 5])");
  EXPECT_TRUE(value_matches(ColumnType::Guid, doc[0], nullptr));
  EXPECT_FALSE(value_matches(ColumnType::Guid, doc[1], nullptr));
}

TEST(ColumnTypes, TableColumnNamesFollowTheTablesApiRules) {
  EXPECT_EQ(table_column_name_problem("severity_d"), "");
  EXPECT_EQ(table_column_name_problem("Id"), "");  // the reserved names compare exactly
  EXPECT_EQ(table_column_name_problem("id"), "is a reserved column name");
  EXPECT_EQ(table_column_name_problem("TenantId"), "is a reserved column name");
  EXPECT_EQ(table_column_name_problem("_x"), "must start with a letter");
  EXPECT_EQ(table_column_name_problem(std::string(46, 'a')), "is longer than 45 characters");
  EXPECT_EQ(table_column_name_problem(std::string(45, 'a')), "");
  EXPECT_EQ(table_column_name_problem("a-b"), "may hold only letters, digits and underscores");
}

TEST(ColumnTypes, NullFitsEveryType) {
  for (auto type : {ColumnType::String, ColumnType::Int, ColumnType::Long, ColumnType::Real,
                    ColumnType::Boolean, ColumnType::Datetime, ColumnType::Dynamic}) {
    EXPECT_TRUE(accepts(type, "null"));
  }
}

TEST(ColumnTypes, IntTakesIntegralNumbersWithin32Bits) {
  EXPECT_TRUE(accepts(ColumnType::Int, "5"));
  EXPECT_TRUE(accepts(ColumnType::Int, "5.0"));
  EXPECT_TRUE(accepts(ColumnType::Int, "-2147483648"));
  EXPECT_FALSE(accepts(ColumnType::Int, "2147483648"));
  EXPECT_FALSE(accepts(ColumnType::Int, "3.9"));
  EXPECT_FALSE(accepts(ColumnType::Int, "\"5\""));
  EXPECT_FALSE(accepts(ColumnType::Int, "true"));
}

TEST(ColumnTypes, LongTakesIntegralNumbersWithin64Bits) {
  EXPECT_TRUE(accepts(ColumnType::Long, "9223372036854775807"));
  EXPECT_TRUE(accepts(ColumnType::Long, "2147483648"));
  EXPECT_FALSE(accepts(ColumnType::Long, "1.5"));
}

TEST(ColumnTypes, RealTakesAnyNumber) {
  EXPECT_TRUE(accepts(ColumnType::Real, "5"));
  EXPECT_TRUE(accepts(ColumnType::Real, "1.7727595253771338E9"));
  EXPECT_FALSE(accepts(ColumnType::Real, "\"5.5\""));
}

TEST(ColumnTypes, BooleanTakesTrueAndFalseOnly) {
  EXPECT_TRUE(accepts(ColumnType::Boolean, "false"));
  EXPECT_FALSE(accepts(ColumnType::Boolean, "0"));
  EXPECT_FALSE(accepts(ColumnType::Boolean, "\"true\""));
}

TEST(ColumnTypes, DatetimeTakesIso8601Strings) {
  EXPECT_TRUE(accepts(ColumnType::Datetime, "\"2026-03-06T01:19:48.601Z\""));
  EXPECT_TRUE(accepts(ColumnType::Datetime, "\"2026-03-06T01:19:48Z\""));
  EXPECT_TRUE(accepts(ColumnType::Datetime, "\"2026-03-06T01:19:48.1234567+02:00\""));
  EXPECT_TRUE(accepts(ColumnType::Datetime, "\"2026-03-06 01:19:48\""));
  EXPECT_FALSE(accepts(ColumnType::Datetime, "\"2026-02-30T00:00:00Z\""));
  EXPECT_FALSE(accepts(ColumnType::Datetime, "\"yesterday\""));
  EXPECT_FALSE(accepts(ColumnType::Datetime, "1772759525"));
}

TEST(ColumnTypes, StringTakesStringsOnly) {
  EXPECT_TRUE(accepts(ColumnType::String, "\"x\""));
  EXPECT_FALSE(accepts(ColumnType::String, "12"));
  EXPECT_FALSE(accepts(ColumnType::String, "{}"));
}

TEST(ColumnTypes, DynamicTakesAnything) {
  for (const char* json : {"{}", "[1]", "\"s\"", "1", "true"})
    EXPECT_TRUE(accepts(ColumnType::Dynamic, json));
}

TEST(ColumnTypes, SaysWhatItExpected) {
  rapidjson::Document doc;
  doc.Parse("\"high\"");
  std::string reason;
  EXPECT_FALSE(value_matches(ColumnType::Int, doc, &reason));
  EXPECT_EQ(reason, "expected an integer within 32 bits, got a string");
}

TEST(ColumnTypes, RecognisesGuids) {
  EXPECT_TRUE(is_guid("9db4179b-17de-4b3b-ae68-aba7a524feba"));
  EXPECT_TRUE(is_guid("{9DB4179B-17DE-4B3B-AE68-ABA7A524FEBA}"));
  EXPECT_FALSE(is_guid("9db4179b17de4b3bae68aba7a524feba"));
  EXPECT_FALSE(is_guid("9db4179b-17de-4b3b-ae68-aba7a524febz"));
}

}  // namespace
}  // namespace wsemu
