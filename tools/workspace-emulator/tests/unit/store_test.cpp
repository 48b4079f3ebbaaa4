// SQLite tables: typed insert and dump, counts, resets, new columns, persistence,
// table sub-types (Classic, DataCollectionRuleBased) and the Data Collector's
// column rules for each.
#include "store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "crypto.h"

namespace wsemu {
namespace {

const std::vector<StoredColumn> kColumns = {{"TimeGenerated", ColumnType::Datetime},
                                            {"Severity", ColumnType::Int},
                                            {"Score", ColumnType::Real},
                                            {"Archived", ColumnType::Boolean},
                                            {"Details", ColumnType::Dynamic},
                                            {"Title", ColumnType::String}};

TEST(Store, DumpsRowsWithTheirTypesAndWithoutNulls) {
  Store store(":memory:");
  store.define_table("T", kColumns);
  RowBatch batch{"T", {"TimeGenerated", "Severity", "Score", "Archived", "Details", "Title"}, {}};
  batch.rows.push_back({std::string("2026-03-06T01:19:48.601Z"), std::int64_t{5}, 5.0, false,
                        std::string(R"({"a":[1,"x"]})"), std::monostate{}});
  batch.rows.push_back({std::string("2026-03-06T01:19:49Z"), std::monostate{}, 0.5, true,
                        std::string("\"s\""), std::string("quote \" and \\ and é")});
  store.insert({batch});
  std::string out;
  ASSERT_TRUE(store.dump_jsonl("T", 0, out));
  EXPECT_EQ(out,
            "{\"TimeGenerated\":\"2026-03-06T01:19:48.601Z\",\"Severity\":5,\"Score\":5.0,"
            "\"Archived\":false,\"Details\":{\"a\":[1,\"x\"]}}\n"
            "{\"TimeGenerated\":\"2026-03-06T01:19:49Z\",\"Score\":0.5,\"Archived\":true,"
            "\"Details\":\"s\",\"Title\":\"quote \\\" and \\\\ and é\"}\n");
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
  store.insert({RowBatch{"A", {"x"}, {{std::int64_t{1}}, {std::int64_t{2}}}},
                RowBatch{"B", {"x"}, {{std::int64_t{3}}}}});
  EXPECT_EQ(store.row_counts(),
            (std::vector<std::pair<std::string, std::int64_t>>{{"A", 2}, {"B", 1}}));
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
  EXPECT_THROW(store.insert({RowBatch{"T", {"x"}, {{std::int64_t{1}}}},
                             RowBatch{"T", {"nope"}, {{std::int64_t{2}}}}}),
               StoreError);
  EXPECT_EQ(store.row_counts()[0].second, 0);
}

TEST(Store, KeepsEachTablesSubType) {
  Store store(":memory:");
  store.define_table("A_CL", {{"a_s", ColumnType::String}}, TableSubType::Classic);
  store.define_table("B_CL", {{"b", ColumnType::Long}}, TableSubType::DataCollectionRuleBased);
  store.define_table("A_CL", {}, TableSubType::DataCollectionRuleBased);  // a known sub-type stays
  auto a = store.find_table("a_cl");  // names compare without regard to case
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->name, "A_CL");
  EXPECT_EQ(a->sub_type, TableSubType::Classic);
  EXPECT_EQ(store.find_table("B_CL")->sub_type, TableSubType::DataCollectionRuleBased);
  EXPECT_FALSE(store.find_table("C_CL").has_value());
  EXPECT_TRUE(store.set_sub_type("A_CL", TableSubType::DataCollectionRuleBased));
  EXPECT_EQ(store.find_table("A_CL")->sub_type, TableSubType::DataCollectionRuleBased);
  EXPECT_FALSE(store.set_sub_type("C_CL", TableSubType::Classic));
  EXPECT_EQ(to_string(TableSubType::DataCollectionRuleBased), "DataCollectionRuleBased");
  EXPECT_EQ(parse_table_sub_type("classic"), TableSubType::Classic);
  EXPECT_FALSE(parse_table_sub_type("Custom").has_value());
}

TEST(Store, CollectsIntoAClassicTableAddingColumnsAndIntoAMigratedOneWithout) {
  Store store(":memory:");
  const std::vector<StoredColumn> first = {{"TimeGenerated", ColumnType::Datetime},
                                           {"a_s", ColumnType::String},
                                           {"id_g", ColumnType::Guid}};
  EXPECT_EQ(
      store.insert_collected(
          "X_CL", first,
          {RowBatch{"X_CL",
                    {"TimeGenerated", "a_s", "id_g"},
                    {{std::string("2026-03-06T01:19:48Z"), std::string("1"), std::string("g")}}}}),
      0u);
  auto table = store.find_table("X_CL");
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ(table->sub_type, TableSubType::Classic);  // created by the Data Collector API
  ASSERT_EQ(table->columns.size(), 3u);
  EXPECT_EQ(table->columns[2].type, ColumnType::Guid);
  // Classic: a new field becomes a new column.
  store.insert_collected("X_CL", {{"b_d", ColumnType::Real}}, {RowBatch{"X_CL", {"b_d"}, {{2.5}}}});
  EXPECT_EQ(store.find_table("X_CL")->columns.size(), 4u);
  // Migrated: values for columns the table lacks are dropped, the others stored.
  ASSERT_TRUE(store.set_sub_type("X_CL", TableSubType::DataCollectionRuleBased));
  EXPECT_EQ(store.insert_collected(
                "X_CL", {{"a_s", ColumnType::String}, {"c_s", ColumnType::String}},
                {RowBatch{"X_CL", {"a_s", "c_s"}, {{std::string("3"), std::string("x")}}}}),
            1u);
  table = store.find_table("X_CL");
  EXPECT_EQ(table->columns.size(), 4u);
  EXPECT_EQ(table->rows, 3);
  std::string out;
  store.dump_jsonl("X_CL", 0, out, 2);
  EXPECT_EQ(out, "{\"a_s\":\"3\"}\n");
}

TEST(Store, InsertsOnlyTheColumnsATableHas) {
  Store store(":memory:");
  store.define_table("T_CL", {{"a", ColumnType::Long}}, TableSubType::DataCollectionRuleBased);
  EXPECT_EQ(store.insert_existing_columns({RowBatch{
                "T_CL",
                {"a", "b"},
                {{std::int64_t{1}, std::int64_t{2}}, {std::int64_t{3}, std::monostate{}}}}}),
            1u);
  std::string out;
  store.dump_jsonl("T_CL", 0, out);
  EXPECT_EQ(out, "{\"a\":1}\n{\"a\":3}\n");
}

TEST(Store, KeepsSubTypesInAFileAcrossRestarts) {
  const auto path = std::filesystem::temp_directory_path() / ("wsemu-store-" + new_guid() + ".db");
  {
    Store store(path.string());
    store.define_table("Old_CL", {{"a_s", ColumnType::String}}, TableSubType::Classic);
    store.define_table("New_CL", {{"g", ColumnType::Guid}}, TableSubType::Classic);
    store.set_sub_type("New_CL", TableSubType::DataCollectionRuleBased);
  }
  {
    Store store(path.string());
    EXPECT_EQ(store.find_table("Old_CL")->sub_type, TableSubType::Classic);
    const auto migrated = store.find_table("New_CL");
    EXPECT_EQ(migrated->sub_type, TableSubType::DataCollectionRuleBased);
    EXPECT_EQ(migrated->columns.at(0).type, ColumnType::Guid);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

TEST(Store, GivesTheTablesOfAnOlderDatabaseASubType) {
  const auto path = std::filesystem::temp_directory_path() / ("wsemu-store-" + new_guid() + ".db");
  {  // the catalog as it was before sub-types: columns only
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.string().c_str(), &db), SQLITE_OK);
    const char* sql =
        "CREATE TABLE _wsemu_columns (tbl TEXT NOT NULL, col TEXT NOT NULL, type TEXT NOT NULL, "
        "ord INTEGER NOT NULL, PRIMARY KEY (tbl, col));"
        "CREATE TABLE \"AWSGuardDuty_CL\" (_wsemu_seq INTEGER PRIMARY KEY, \"title_s\");"
        "INSERT INTO _wsemu_columns VALUES ('AWSGuardDuty_CL', 'title_s', 'string', 0);"
        "INSERT INTO \"AWSGuardDuty_CL\" (title_s) VALUES ('t');"
        "CREATE TABLE \"AWSGuardDuty\" (_wsemu_seq INTEGER PRIMARY KEY, \"Title\");"
        "INSERT INTO _wsemu_columns VALUES ('AWSGuardDuty', 'Title', 'string', 0);"
        "CREATE TABLE \"Legacy_CL\" (_wsemu_seq INTEGER PRIMARY KEY, \"x\");"
        "INSERT INTO _wsemu_columns VALUES ('Legacy_CL', 'x', 'string', 0);";
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  {
    Store store(path.string());
    EXPECT_FALSE(store.find_table("AWSGuardDuty_CL")->sub_type.has_value());
    EXPECT_EQ(store.find_table("AWSGuardDuty_CL")->rows, 1);
    // A rule of the configuration still writes to Legacy_CL: it says what the table is.
    store.define_table("Legacy_CL", {}, TableSubType::DataCollectionRuleBased);
    store.settle_sub_types();
    EXPECT_EQ(store.find_table("AWSGuardDuty_CL")->sub_type, TableSubType::Classic);
    EXPECT_EQ(store.find_table("AWSGuardDuty")->sub_type, TableSubType::DataCollectionRuleBased);
    EXPECT_EQ(store.find_table("Legacy_CL")->sub_type, TableSubType::DataCollectionRuleBased);
  }
  {
    Store store(path.string());  // and the settled sub-types are kept
    EXPECT_EQ(store.find_table("AWSGuardDuty_CL")->sub_type, TableSubType::Classic);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

}  // namespace
}  // namespace wsemu
