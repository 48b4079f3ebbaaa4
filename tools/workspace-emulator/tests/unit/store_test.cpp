// SQLite tables: typed insert and dump, counts, resets, new columns, persistence.
#include <gtest/gtest.h>

#include <filesystem>

#include "crypto.h"
#include "store.h"

namespace wsemu {
namespace {

const std::vector<StoredColumn> kColumns = {{"TimeGenerated", ColumnType::Datetime}, {"Severity", ColumnType::Int},
                                            {"Score", ColumnType::Real},          {"Archived", ColumnType::Boolean},
                                            {"Details", ColumnType::Dynamic},     {"Title", ColumnType::String}};

TEST(Store, DumpsRowsWithTheirTypesAndWithoutNulls) {
  Store store(":memory:");
  store.define_table("T", kColumns);
  RowBatch batch{"T", {"TimeGenerated", "Severity", "Score", "Archived", "Details", "Title"}, {}};
  batch.rows.push_back({std::string("2026-03-06T01:19:48.601Z"), std::int64_t{5}, 5.0, false,
                        std::string(R"({"a":[1,"x"]})"), std::monostate{}});
  batch.rows.push_back({std::string("2026-03-06T01:19:49Z"), std::monostate{}, 0.5, true, std::string("\"s\""),
                        std::string("quote \" and \\ and é")});
  store.insert({batch});
  std::string out;
  ASSERT_TRUE(store.dump_jsonl("T", 0, out));
  EXPECT_EQ(out,
            "{\"TimeGenerated\":\"2026-03-06T01:19:48.601Z\",\"Severity\":5,\"Score\":5.0,\"Archived\":false,\"Details\":{\"a\":[1,\"x\"]}}\n"
            "{\"TimeGenerated\":\"2026-03-06T01:19:49Z\",\"Score\":0.5,\"Archived\":true,\"Details\":\"s\",\"Title\":\"quote \\\" and \\\\ and é\"}\n");
  out.clear();
  ASSERT_TRUE(store.dump_jsonl("T", 1, out));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  out.clear();
  ASSERT_TRUE(store.dump_jsonl("T", 0, out, 1));  // after the first: only the second row
  EXPECT_EQ(out.rfind("{\"TimeGenerated\":\"2026-03-06T01:19:49Z\"", 0), 0u) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  EXPECT_FALSE(store.dump_jsonl("Missing", 0, out));
}

TEST(Store, CountsAndClearsRows) {
  Store store(":memory:");
  store.define_table("A", {{"x", ColumnType::Long}});
  store.define_table("B", {{"x", ColumnType::Long}});
  store.insert({RowBatch{"A", {"x"}, {{std::int64_t{1}}, {std::int64_t{2}}}}, RowBatch{"B", {"x"}, {{std::int64_t{3}}}}});
  EXPECT_EQ(store.row_counts(), (std::vector<std::pair<std::string, std::int64_t>>{{"A", 2}, {"B", 1}}));
  EXPECT_TRUE(store.clear_table("A"));
  EXPECT_FALSE(store.clear_table("C"));
  EXPECT_EQ(store.row_counts()[0].second, 0);
  store.clear_all();
  EXPECT_EQ(store.row_counts()[1].second, 0);
}

TEST(Store, AddsColumnsItHasNotSeen) {
  Store store(":memory:");
  store.define_table("X_CL", {{"a_s", ColumnType::String}});
  store.insert({RowBatch{"X_CL", {"a_s"}, {{std::string("1")}}}});
  store.define_table("X_CL", {{"a_s", ColumnType::Real}, {"b_d", ColumnType::Real}});
  store.insert({RowBatch{"X_CL", {"b_d"}, {{2.5}}}});
  const auto columns = store.columns("X_CL");
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_EQ(columns[0].type, ColumnType::String);  // a column keeps its first type
  std::string out;
  store.dump_jsonl("X_CL", 0, out);
  EXPECT_EQ(out, "{\"a_s\":\"1\"}\n{\"b_d\":2.5}\n");
}

TEST(Store, KeepsTablesInAFileAcrossRestarts) {
  const auto path = std::filesystem::temp_directory_path() / ("wsemu-store-" + new_guid() + ".db");
  {
    Store store(path.string());
    store.define_table("T", {{"Flag", ColumnType::Boolean}});
    store.insert({RowBatch{"T", {"Flag"}, {{true}}}});
  }
  {
    Store store(path.string());
    EXPECT_EQ(store.row_counts(), (std::vector<std::pair<std::string, std::int64_t>>{{"T", 1}}));
    std::string out;
    store.dump_jsonl("T", 0, out);
    EXPECT_EQ(out, "{\"Flag\":true}\n");
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST(Store, RollsBackABatchThatFails) {
  Store store(":memory:");
  store.define_table("T", {{"x", ColumnType::Long}});
  EXPECT_THROW(store.insert({RowBatch{"T", {"x"}, {{std::int64_t{1}}}}, RowBatch{"T", {"nope"}, {{std::int64_t{2}}}}}),
               StoreError);
  EXPECT_EQ(store.row_counts()[0].second, 0);
}

}  // namespace
}  // namespace wsemu
