#include "sinks/batch_plan.h"

#include <gtest/gtest.h>

#include <random>

namespace gd2s {
namespace {

TEST(BatchPlan, CountsTheArrayAroundTheRows) {
  EXPECT_EQ(json_array_bytes(0, 0), 2u);    // []
  EXPECT_EQ(json_array_bytes(5, 1), 7u);    // [abcde]
  EXPECT_EQ(json_array_bytes(10, 2), 13u);  // [abcde,fghij]
  BatchBudget budget(13);
  EXPECT_TRUE(budget.fits(5));
  budget.add(5);
  EXPECT_TRUE(budget.fits(5));
  budget.add(5);
  EXPECT_EQ(budget.bytes(), 13u);
  EXPECT_FALSE(budget.fits(0));
  EXPECT_TRUE(budget.too_large(12));
  EXPECT_FALSE(budget.too_large(11));
}

TEST(BatchPlan, FillsUpToExactlyTheLimit) {
  // Three 3-byte rows make [aaa,bbb,ccc]: 13 bytes.
  std::vector<size_t> sizes{3, 3, 3, 3};
  auto plan = plan_batches(sizes, 13);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].begin, 0u);
  EXPECT_EQ(plan[0].end, 3u);
  EXPECT_EQ(plan[1].begin, 3u);
  EXPECT_EQ(plan[1].end, 4u);
}

TEST(BatchPlan, SetsAsideARowThatCannotFitAlone) {
  std::vector<size_t> sizes{3, 20, 3};
  auto plan = plan_batches(sizes, 13);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_FALSE(plan[0].oversize);
  EXPECT_TRUE(plan[1].oversize);
  EXPECT_EQ(plan[1].begin, 1u);
  EXPECT_FALSE(plan[2].oversize);
}

// The property: for any sequence of sizes, every batch is within the limit, every row is in
// exactly one batch (or set aside when it cannot fit alone), in order, and no batch could have
// taken the next row.
TEST(BatchPlan, EveryBatchWithinTheLimitAndEveryRowOnce) {
  std::mt19937_64 random(20261128);
  for (int round = 0; round < 2000; ++round) {
    size_t limit = 16 + random() % 4096;
    std::vector<size_t> sizes(random() % 200);
    for (size_t& size : sizes) {
      int shape = static_cast<int>(random() % 10);
      size = shape == 0   ? limit - 2 + random() % 3  // around "alone at the limit"
             : shape == 1 ? random() % (2 * limit)
                          : 1 + random() % (limit / 4 + 1);
    }
    auto plan = plan_batches(sizes, limit);
    size_t next = 0;
    for (size_t i = 0; i < plan.size(); ++i) {
      const PlannedBatch& batch = plan[i];
      ASSERT_EQ(batch.begin, next) << "round " << round;
      ASSERT_LT(batch.begin, batch.end);
      size_t total = 0;
      for (size_t r = batch.begin; r < batch.end; ++r) total += sizes[r];
      size_t bytes = json_array_bytes(total, batch.end - batch.begin);
      if (batch.oversize) {
        ASSERT_EQ(batch.end - batch.begin, 1u);
        ASSERT_GT(bytes, limit);
      } else {
        ASSERT_LE(bytes, limit) << "round " << round;
        bool next_is_plain = i + 1 < plan.size() && !plan[i + 1].oversize;
        if (next_is_plain) {
          ASSERT_GT(json_array_bytes(total + sizes[batch.end], batch.end - batch.begin + 1), limit)
              << "a batch was closed although the next row fitted";
        }
      }
      next = batch.end;
    }
    ASSERT_EQ(next, sizes.size());
  }
}

}  // namespace
}  // namespace gd2s
