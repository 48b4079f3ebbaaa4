#include "transform/dedupe.h"

#include <gtest/gtest.h>

#include "state/sqlite_store.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;

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

}  // namespace
}  // namespace gd2s
