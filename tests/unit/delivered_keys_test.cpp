#include "transform/delivered_keys.h"

#include <gtest/gtest.h>

#include <string>

namespace gd2s {
namespace {

VersionKey key_of(size_t i) {
  return version_key("finding-" + std::to_string(i), "2026-01-01T00:00:00.000Z");
}

TEST(DeliveredKeys, HoldsAHundredThousandKeysAndFindsEachAndRarelyAnother) {
  constexpr size_t kKeys = 100'000;
  DeliveredKeys keys;
  EXPECT_FALSE(keys.contains(key_of(0))) << "an empty table holds nothing";
  size_t added = 0;
  for (size_t i = 0; i < kKeys; ++i) added += keys.insert(key_of(i)) ? 1 : 0;
  // Two of 100,000 versions share a 32-bit key about once (the birthday bound: n²/2³³).
  EXPECT_GE(added, kKeys - 10);
  EXPECT_EQ(keys.size(), added);
  for (size_t i = 0; i < kKeys; ++i) ASSERT_TRUE(keys.contains(key_of(i))) << i;
  // A 32-bit key of another version is in the table with odds of 100,000 in 2^32: about 2.3
  // of these 100,000 (each a state-store read that Dedupe makes to confirm it), never many.
  size_t false_hits = 0;
  for (size_t i = kKeys; i < 2 * kKeys; ++i) false_hits += keys.contains(key_of(i)) ? 1 : 0;
  EXPECT_LE(false_hits, 20u) << "keys of other versions are rarely in the table";
  EXPECT_FALSE(keys.insert(key_of(7))) << "a key is held once";
  EXPECT_EQ(keys.size(), added);
}

TEST(DeliveredKeys, GrowsByDoublingAndStaysAtMostFourFifthsFull) {
  DeliveredKeys keys;
  size_t capacity = 0;
  int doublings = 0;
  for (size_t i = 0; i < 50'000; ++i) {
    keys.insert(key_of(i));
    if (keys.capacity() != capacity) {
      if (capacity != 0) {
        EXPECT_EQ(keys.capacity(), 2 * capacity);
        ++doublings;
      }
      capacity = keys.capacity();
      EXPECT_EQ(capacity & (capacity - 1), 0u) << "a power of two";
    }
    ASSERT_LE(keys.size() * 5, keys.capacity() * 4);
    if (i % 997 == 0) ASSERT_TRUE(keys.contains(key_of(i / 2))) << "found after growing";
  }
  EXPECT_GE(doublings, 5);
}

TEST(DeliveredKeys, FourHundredThousandVersionsFitInTwoMebibytes) {
  DeliveredKeys keys;
  for (size_t i = 0; i < 400'000; ++i) keys.insert(key_of(i));
  // About 19 pairs of 400,000 versions share a 32-bit key (n²/2³³); each pair is held once.
  EXPECT_GE(keys.size(), 399'900u) << "all but the rare versions that share a key";
  EXPECT_EQ(keys.capacity(), size_t{1} << 19);
  EXPECT_EQ(keys.memory_bytes(), size_t{2} << 20);
  keys.clear();
  EXPECT_EQ(keys.size(), 0u);
  EXPECT_EQ(keys.memory_bytes(), 0u);
  EXPECT_FALSE(keys.contains(key_of(1)));
}

TEST(DeliveredKeys, AVersionsKeyIsNeverTheEmptySlotAndTellsItsPartsApart) {
  EXPECT_NE(version_key("", ""), 0u);
  EXPECT_NE(version_key("a", "b"), version_key("b", "a"));
  EXPECT_NE(version_key("f1", "2026-01-01T00:00:00.000Z"),
            version_key("f1", "2026-01-02T00:00:00.000Z"));
  EXPECT_EQ(version_key("f1", "t"), version_key(std::string("f1"), std::string("t")));
  DeliveredKeys keys;
  EXPECT_THROW(keys.insert(0), std::invalid_argument);
}

}  // namespace
}  // namespace gd2s
