#include "transform/dedupe.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "state/sqlite_store.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;

// The SQLite store, counting what Dedupe asks of it.
class CountingStore final : public StateStore {
 public:
  explicit CountingStore(StateStore& inner) : inner_(inner) {}
  std::optional<UnitCheckpoint> checkpoint(std::string_view source, std::string_view key) override {
    return inner_.checkpoint(source, key);
  }
  void save_checkpoint(const UnitCheckpoint& cp) override { inner_.save_checkpoint(cp); }
  using StateStore::delivered_since;
  std::vector<bool> delivered_since(std::span<const FindingVersion> versions,
                                    Timestamp since) override {
    ++reads;
    versions_read += versions.size();
    return inner_.delivered_since(versions, since);
  }
  void each_delivered_since(Timestamp since, const DeliveredVisitor& visit) override {
    ++scans;
    inner_.each_delivered_since(since, visit);
  }
  void remember_delivered(std::span<const FindingVersion> versions, Timestamp at) override {
    ++writes;
    inner_.remember_delivered(versions, at);
  }
  uint64_t forget_delivered_before(Timestamp before) override {
    return inner_.forget_delivered_before(before);
  }
  std::optional<DeadLetterMark> dead_letter_mark(std::string_view line_sha256,
                                                 uint64_t ordinal) override {
    return inner_.dead_letter_mark(line_sha256, ordinal);
  }
  void record_replay(std::string_view line_sha256, uint64_t ordinal, Timestamp at,
                     std::string_view failure) override {
    inner_.record_replay(line_sha256, ordinal, at, failure);
  }

  int reads = 0;
  size_t versions_read = 0;
  int scans = 0;
  int writes = 0;

 private:
  StateStore& inner_;
};

std::vector<FindingVersion> versions(const std::string& prefix, size_t count) {
  std::vector<FindingVersion> out;
  for (size_t i = 0; i < count; ++i)
    out.push_back({prefix + std::to_string(i), "2026-01-01T00:00:00.000Z"});
  return out;
}

// Every version on one key: each hit must be settled by the exact checks.
VersionKey one_key(std::string_view, std::string_view) {
  return 42;
}

TEST(Dedupe, SendsEachVersionOnceAcrossARestart) {
  test::TempDir dir;
  FindingVersion v1{"f1", "2026-01-01T00:00:00.000Z"};
  FindingVersion v2{"f1", "2026-01-02T00:00:00.000Z"};
  {
    SqliteStateStore store(dir.file("state.db"));
    Dedupe dedupe(store, 168h);
    EXPECT_FALSE(dedupe.is_duplicate(v1));
    EXPECT_TRUE(dedupe.is_duplicate(v1)) << "in flight";
    std::vector<FindingVersion> delivered{v1};
    dedupe.delivered(delivered);
    EXPECT_TRUE(dedupe.is_duplicate(v1));
  }
  SqliteStateStore store(dir.file("state.db"));
  Dedupe dedupe(store, 168h);
  EXPECT_TRUE(dedupe.is_duplicate(v1)) << "remembered across the restart";
  EXPECT_FALSE(dedupe.is_duplicate(v2)) << "an update is a new version";
}

TEST(Dedupe, ANotYetDeliveredVersionIsNotRememberedAfterACrash) {
  test::TempDir dir;
  FindingVersion v{"f1", "2026-01-01T00:00:00.000Z"};
  {
    SqliteStateStore store(dir.file("state.db"));
    Dedupe dedupe(store, 168h);
    EXPECT_FALSE(dedupe.is_duplicate(v));  // reserved, then the process dies before delivery
  }
  SqliteStateStore store(dir.file("state.db"));
  Dedupe dedupe(store, 168h);
  EXPECT_FALSE(dedupe.is_duplicate(v));
}

TEST(Dedupe, AnAbandonedVersionCanGoThroughAgain) {
  test::TempDir dir;
  SqliteStateStore store(dir.file("state.db"));
  Dedupe dedupe(store, 168h);
  FindingVersion v{"f1", "2026-01-01T00:00:00.000Z"};
  EXPECT_FALSE(dedupe.is_duplicate(v));
  dedupe.abandoned(v);
  EXPECT_FALSE(dedupe.is_duplicate(v));
}

TEST(Dedupe, ABatchIsCheckedAgainstTheStoreTheReservationsAndItself) {
  test::TempDir dir;
  SqliteStateStore store(dir.file("state.db"));
  Dedupe dedupe(store, 168h);
  FindingVersion delivered{"f1", "2026-01-01T00:00:00.000Z"};
  FindingVersion in_flight{"f2", "2026-01-01T00:00:00.000Z"};
  FindingVersion fresh{"f3", "2026-01-01T00:00:00.000Z"};
  FindingVersion update{"f1", "2026-01-02T00:00:00.000Z"};
  std::vector<FindingVersion> first{delivered};
  EXPECT_EQ(dedupe.find_duplicates(first), std::vector<bool>{false});
  dedupe.delivered(first);
  EXPECT_FALSE(dedupe.is_duplicate(in_flight));

  std::vector<FindingVersion> batch{delivered, in_flight, fresh, update, fresh};
  EXPECT_EQ(dedupe.find_duplicates(batch), (std::vector<bool>{true, true, false, false, true}))
      << "delivered, in flight, new, a new version, the same new one again";
  EXPECT_TRUE(dedupe.is_duplicate(fresh)) << "the batch reserved what it let through";
  EXPECT_TRUE(dedupe.is_duplicate(update));
}

TEST(Dedupe, AZeroWindowTurnsItOff) {
  test::TempDir dir;
  SqliteStateStore store(dir.file("state.db"));
  Dedupe dedupe(store, 0s);
  FindingVersion v{"f1", "2026-01-01T00:00:00.000Z"};
  EXPECT_FALSE(dedupe.enabled());
  EXPECT_FALSE(dedupe.is_duplicate(v));
  EXPECT_FALSE(dedupe.is_duplicate(v));
}

TEST(Dedupe, AMissIsAnsweredInMemoryAndOnlyHitsAreReadFromTheStore) {
  test::TempDir dir;
  SqliteStateStore sqlite(dir.file("state.db"));
  std::vector<FindingVersion> before{{"f0", "2026-01-01T00:00:00.000Z"}};
  sqlite.remember_delivered(before, now_utc());
  CountingStore store(sqlite);
  Dedupe dedupe(store, 168h);
  std::vector<FindingVersion> fresh = versions("new-", 64);
  EXPECT_EQ(dedupe.find_duplicates(fresh), std::vector<bool>(64, false));
  EXPECT_EQ(store.scans, 1) << "the window is read once, on first use";
  EXPECT_EQ(store.reads, 0) << "no version of the batch was known: no store read";
  EXPECT_EQ(dedupe.keys_in_memory(), 1u);

  std::vector<FindingVersion> mixed{before[0], {"other", "2026-01-01T00:00:00.000Z"}};
  EXPECT_EQ(dedupe.find_duplicates(mixed), (std::vector<bool>{true, false}));
  EXPECT_EQ(store.reads, 1);
  EXPECT_EQ(store.versions_read, 1u) << "only the hit is confirmed";

  dedupe.delivered(fresh);  // staged, not yet written
  EXPECT_EQ(store.writes, 0);
  EXPECT_EQ(dedupe.staged(), 64u);
  EXPECT_EQ(dedupe.find_duplicates(fresh), std::vector<bool>(64, true));
  EXPECT_EQ(store.reads, 1) << "staged versions are confirmed in memory";
  EXPECT_EQ(store.scans, 1);
}

TEST(Dedupe, WritesStagedVersionsInOneTransactionOnFlush) {
  test::TempDir dir;
  SqliteStateStore sqlite(dir.file("state.db"));
  CountingStore store(sqlite);
  Dedupe dedupe(store, 168h);
  std::vector<FindingVersion> a = versions("a-", 10), b = versions("b-", 10);
  dedupe.find_duplicates(a);
  dedupe.find_duplicates(b);
  dedupe.delivered(a);
  dedupe.delivered(b);
  EXPECT_EQ(store.writes, 0);
  EXPECT_FALSE(sqlite.delivered_since(a[0], Timestamp{})) << "not written before a flush";
  dedupe.flush();
  EXPECT_EQ(store.writes, 1);
  EXPECT_EQ(dedupe.staged(), 0u);
  EXPECT_EQ(sqlite.delivered_since(a, Timestamp{}), std::vector<bool>(10, true));
  EXPECT_EQ(sqlite.delivered_since(b, Timestamp{}), std::vector<bool>(10, true));
  dedupe.flush();
  EXPECT_EQ(store.writes, 1) << "nothing staged, nothing written";
  EXPECT_EQ(dedupe.find_duplicates(a), std::vector<bool>(10, true))
      << "written versions are still known";
}

TEST(Dedupe, TheStagedBoundWritesWithoutAFlushAndARestartSeesIt) {
  test::TempDir dir;
  SqliteStateStore sqlite(dir.file("state.db"));
  CountingStore store(sqlite);
  Dedupe dedupe(store, 168h);
  std::vector<FindingVersion> all = versions("f-", Dedupe::kFlushAt);
  std::span<const FindingVersion> most(all.data(), all.size() - 1);
  dedupe.find_duplicates(all);
  dedupe.delivered(most);
  EXPECT_EQ(store.writes, 0);
  EXPECT_EQ(dedupe.staged(), Dedupe::kFlushAt - 1);
  dedupe.delivered(std::span(&all.back(), 1));
  EXPECT_EQ(store.writes, 1) << "the bound was reached";
  EXPECT_EQ(dedupe.staged(), 0u);

  // A restart while this Dedupe lives on (as if the process died now, with nothing flushed).
  SqliteStateStore again(dir.file("state.db"), StateAccess::kInspect);
  Dedupe after_restart(again, 168h);
  EXPECT_EQ(after_restart.find_duplicates(all), std::vector<bool>(all.size(), true));
  EXPECT_EQ(after_restart.keys_in_memory(), all.size());
}

TEST(Dedupe, AnExplicitFlushIsSeenByARestart) {
  test::TempDir dir;
  SqliteStateStore store(dir.file("state.db"));
  Dedupe dedupe(store, 168h);
  FindingVersion v{"f1", "2026-01-01T00:00:00.000Z"};
  EXPECT_FALSE(dedupe.is_duplicate(v));
  dedupe.delivered(std::span(&v, 1));
  SqliteStateStore again(dir.file("state.db"), StateAccess::kInspect);
  EXPECT_FALSE(Dedupe(again, 168h).is_duplicate(v)) << "staged only: a crash now resends it";
  dedupe.flush();
  EXPECT_TRUE(Dedupe(again, 168h).is_duplicate(v));
}

TEST(Dedupe, VersionsSharingAKeyNeverDropANewOne) {
  test::TempDir dir;
  SqliteStateStore sqlite(dir.file("state.db"));
  CountingStore store(sqlite);
  FindingVersion v1{"f1", "2026-01-01T00:00:00.000Z"};
  FindingVersion v2{"f2", "2026-01-01T00:00:00.000Z"};
  FindingVersion v3{"f1", "2026-01-02T00:00:00.000Z"};
  FindingVersion v4{"f4", "2026-01-01T00:00:00.000Z"};
  {
    Dedupe dedupe(store, 168h, one_key);
    EXPECT_FALSE(dedupe.is_duplicate(v1));
    dedupe.delivered(std::span(&v1, 1));
    EXPECT_TRUE(dedupe.is_duplicate(v1)) << "staged";
    EXPECT_FALSE(dedupe.is_duplicate(v2)) << "its key is known, but it is not staged nor stored";
    dedupe.abandoned(v2);
    dedupe.flush();
    EXPECT_TRUE(dedupe.is_duplicate(v1)) << "stored";
    std::vector<FindingVersion> batch{v2, v3, v1, v3};
    EXPECT_EQ(dedupe.find_duplicates(batch), (std::vector<bool>{false, false, true, true}));
    EXPECT_GE(store.reads, 2) << "the hits were confirmed in the store";
  }
  Dedupe after_restart(store, 168h, one_key);
  EXPECT_TRUE(after_restart.is_duplicate(v1));
  EXPECT_FALSE(after_restart.is_duplicate(v4));
  EXPECT_FALSE(after_restart.is_duplicate(v2)) << "never delivered";
}

TEST(Dedupe, PruneDropsTheKeysOfTheVersionsItForgets) {
  test::TempDir dir;
  SqliteStateStore sqlite(dir.file("state.db"));
  CountingStore store(sqlite);
  Dedupe dedupe(store, 168h);
  std::vector<FindingVersion> old = versions("old-", 3);
  std::vector<FindingVersion> kept = versions("kept-", 2);
  FindingVersion staged{"staged", "2026-01-01T00:00:00.000Z"};
  dedupe.find_duplicates(old);
  dedupe.find_duplicates(kept);
  dedupe.delivered(old);
  dedupe.delivered(kept);
  dedupe.flush();
  EXPECT_FALSE(dedupe.is_duplicate(staged));
  dedupe.delivered(std::span(&staged, 1));
  EXPECT_EQ(dedupe.keys_in_memory(), 6u);
  {  // the old versions were delivered long ago
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file("state.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "UPDATE delivered_versions SET delivered_us = 0 "
                           "WHERE finding_id LIKE 'old-%'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_EQ(dedupe.prune(), 3u);
  EXPECT_EQ(dedupe.keys_in_memory(), 3u) << "kept-0, kept-1 and the staged version";
  int reads = store.reads;
  EXPECT_EQ(dedupe.find_duplicates(old), std::vector<bool>(3, false));
  EXPECT_EQ(store.reads, reads) << "a pruned version is a miss in memory";
  EXPECT_EQ(dedupe.find_duplicates(kept), std::vector<bool>(2, true));
  EXPECT_TRUE(dedupe.is_duplicate(staged)) << "a staged version survives the rebuild";
  EXPECT_EQ(dedupe.prune(), 0u);
}

TEST(Dedupe, ThePrunedWindowIsWhatTheFirstUseReads) {
  test::TempDir dir;
  SqliteStateStore store(dir.file("state.db"));
  std::vector<FindingVersion> old = versions("old-", 3);
  std::vector<FindingVersion> recent = versions("recent-", 2);
  store.remember_delivered(old, now_utc() - 200h);
  store.remember_delivered(recent, now_utc());
  Dedupe dedupe(store, 168h);
  EXPECT_EQ(dedupe.prune(), 3u);
  EXPECT_EQ(dedupe.keys_in_memory(), 0u) << "read on first use, not before";
  EXPECT_EQ(dedupe.find_duplicates(recent), std::vector<bool>(2, true));
  EXPECT_EQ(dedupe.keys_in_memory(), 2u);
  EXPECT_EQ(dedupe.memory_bytes(), 1024u * sizeof(VersionKey));
}

}  // namespace
}  // namespace gd2s
