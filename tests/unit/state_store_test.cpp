#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>

#include "state/sqlite_store.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

TEST(SqliteStateStore, MigratesANewDatabaseToTheLatestSchemaInWalMode) {
  test::TempDir dir;
  SqliteStateStore store(dir.file("state.db"));
  EXPECT_EQ(store.schema_version(), SqliteStateStore::latest_schema_version());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.file("state.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(SqliteStateStore, KeepsTheDeliveredVersionsOfASchemaTwoDatabase) {
  test::TempDir dir;
  test::write_schema_two_state(dir.file("state.db"), R"sql(
INSERT INTO delivered_findings VALUES ('f1', '2026-01-01T00:00:00.000Z', 2000000),
                                      ('f2', '2026-01-01T00:00:00.000Z', 1000000);
)sql");

  SqliteStateStore store(dir.file("state.db"));
  EXPECT_EQ(store.schema_version(), SqliteStateStore::latest_schema_version());
  Timestamp since{std::chrono::seconds(1)};
  EXPECT_TRUE(store.delivered_since({"f1", "2026-01-01T00:00:00.000Z"}, since));
  EXPECT_TRUE(store.delivered_since({"f2", "2026-01-01T00:00:00.000Z"}, since));
  EXPECT_FALSE(store.delivered_since({"f1", "2026-01-02T00:00:00.000Z"}, since));
  EXPECT_EQ(store.forget_delivered_before(Timestamp{std::chrono::milliseconds(1500)}), 1u)
      << "delivery times came along";
  EXPECT_FALSE(store.delivered_since({"f2", "2026-01-01T00:00:00.000Z"}, since));
}

TEST(SqliteStateStore, RefusesADatabaseFromANewerBuild) {
  test::TempDir dir;
  { SqliteStateStore store(dir.file("state.db")); }
  sqlite3* db = nullptr;
  sqlite3_open(dir.file("state.db").c_str(), &db);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  try {
    SqliteStateStore store(dir.file("state.db"));
    FAIL() << "expected StateError";
  } catch (const StateError& e) {
    EXPECT_NE(std::string(e.what()).find("has schema version 99, newer than this build knows"),
              std::string::npos)
        << e.what();
  }
}

// Two runs on one database both delivered everything; the second must not start.
TEST(SqliteStateStore, ASecondRunOnOneDatabaseFailsNamingTheHolder) {
  test::TempDir dir;
  std::string path = dir.file("state.db");
  {
    SqliteStateStore first(path);
    try {
      SqliteStateStore second(path);
      FAIL() << "opened a database another run holds";
    } catch (const StateInUseError& e) {
      std::string message = e.what();
      EXPECT_NE(message.find("state database " + path + " is in use by gd2sentinel pid " +
                             std::to_string(getpid()) + " on host "),
                std::string::npos)
          << message;
      EXPECT_NE(message.find(" since 20"), std::string::npos) << message;
      EXPECT_NE(message.find("run one process per state database"), std::string::npos) << message;
    }
  }
  SqliteStateStore again(path);  // released with the first
  EXPECT_EQ(again.schema_version(), SqliteStateStore::latest_schema_version());
}

TEST(SqliteStateStore, InspectorsOpenBesideARunAndReplaysOneAtATime) {
  test::TempDir dir;
  std::string path = dir.file("state.db");
  SqliteStateStore run(path);
  SqliteStateStore inspector(path, StateAccess::kInspect);
  EXPECT_FALSE(inspector.checkpoint("files", "x"));
  SqliteStateStore replay(path, StateAccess::kReplay);
  EXPECT_THROW(SqliteStateStore(path, StateAccess::kReplay), StateInUseError);
}

TEST(SqliteStateStore, CheckpointsSurviveReopening) {
  test::TempDir dir;
  {
    SqliteStateStore store(dir.file("state.db"));
    EXPECT_FALSE(store.checkpoint("files", "/a"));
    store.save_checkpoint({"files", "/a", "10:20", 10, CheckpointStatus::kPartial, 7, now_utc()});
    store.save_checkpoint({"files", "/a", "10:20", 10, CheckpointStatus::kDone, 9, now_utc()});
  }
  SqliteStateStore store(dir.file("state.db"));
  auto cp = store.checkpoint("files", "/a");
  ASSERT_TRUE(cp);
  EXPECT_EQ(cp->version, "10:20");
  EXPECT_EQ(cp->status, CheckpointStatus::kDone);
  EXPECT_EQ(cp->records_committed, 9u);
  EXPECT_FALSE(store.checkpoint("s3_listing", "/a"));
}

TEST(SqliteStateStore, RemembersDeliveredVersionsWithinAWindow) {
  test::TempDir dir;
  SqliteStateStore store(dir.file("state.db"));
  FindingVersion v{"f1", "2026-01-01T00:00:00.000Z"};
  Timestamp t0 = now_utc();
  std::vector<FindingVersion> versions{v};
  store.remember_delivered(versions, t0);
  EXPECT_TRUE(store.delivered_since(v, t0 - std::chrono::hours(1)));
  EXPECT_FALSE(store.delivered_since(v, t0 + std::chrono::hours(1)));
  EXPECT_FALSE(
      store.delivered_since({"f1", "2026-01-02T00:00:00.000Z"}, t0 - std::chrono::hours(1)));
  std::vector<FindingVersion> batch{{"f0", "2026-01-01T00:00:00.000Z"}, v, {"f1", "x"}, v};
  EXPECT_EQ(store.delivered_since(batch, t0 - std::chrono::hours(1)),
            (std::vector<bool>{false, true, false, true}))
      << "a batch is answered version by version, in order";
  EXPECT_EQ(store.forget_delivered_before(t0 + std::chrono::seconds(1)), 1u);
  EXPECT_FALSE(store.delivered_since(v, t0 - std::chrono::hours(1)));
}

TEST(SqliteStateStore, StreamsTheVersionsDeliveredWithinAWindow) {
  test::TempDir dir;
  SqliteStateStore store(dir.file("state.db"));
  Timestamp t0 = now_utc();
  std::vector<FindingVersion> old{{"old", "2026-01-01T00:00:00.000Z"}};
  std::vector<FindingVersion> recent{{"f1", "2026-01-01T00:00:00.000Z"},
                                     {"f2", "2026-01-02T00:00:00.000Z"}};
  store.remember_delivered(old, t0 - std::chrono::hours(2));
  store.remember_delivered(recent, t0);
  std::vector<FindingVersion> seen;
  store.each_delivered_since(t0 - std::chrono::hours(1),
                             [&](std::string_view id, std::string_view updated_at) {
                               seen.push_back({std::string(id), std::string(updated_at)});
                             });
  std::sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].id, "f1");
  EXPECT_EQ(seen[0].updated_at, "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(seen[1].id, "f2");
  EXPECT_EQ(seen[1].updated_at, "2026-01-02T00:00:00.000Z");
  size_t all = 0;
  store.each_delivered_since(Timestamp{}, [&](std::string_view, std::string_view) { ++all; });
  EXPECT_EQ(all, 3u);
  EXPECT_THROW(
      store.each_delivered_since(
          Timestamp{}, [](std::string_view, std::string_view) { throw StateError("stop"); }),
      StateError);
  all = 0;
  store.each_delivered_since(Timestamp{}, [&](std::string_view, std::string_view) { ++all; });
  EXPECT_EQ(all, 3u) << "a visitor that throws leaves the store usable";
}

}  // namespace
}  // namespace gd2s
