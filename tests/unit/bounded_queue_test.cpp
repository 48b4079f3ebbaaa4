#include "core/bounded_queue.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace gd2s {
namespace {

using namespace std::chrono_literals;

size_t length(const std::string& s) {
  return s.size();
}

TEST(BoundedQueue, PopSomeTakesWhatIsWaitingUpToItsLimitInOrder) {
  BoundedQueue<std::string> queue(100);
  std::vector<std::string> in{"a", "bb", "ccc"};
  ASSERT_TRUE(queue.push_all(in, length));
  EXPECT_EQ(queue.cost(), 6u);
  std::vector<std::string> out;
  ASSERT_TRUE(queue.pop_some(out, 2));
  EXPECT_EQ(out, (std::vector<std::string>{"a", "bb"}));
  EXPECT_EQ(queue.cost(), 3u);
  ASSERT_TRUE(queue.pop_some(out, 2));
  EXPECT_EQ(out, (std::vector<std::string>{"a", "bb", "ccc"})) << "appended to what out held";
  queue.close();
  EXPECT_FALSE(queue.pop_some(out, 2)) << "closed and empty";
  EXPECT_TRUE(queue.closed_and_empty());
}

TEST(BoundedQueue, PopSomeForGivesUpAfterItsTimeout) {
  BoundedQueue<std::string> queue(100);
  std::vector<std::string> out;
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(queue.pop_some_for(out, 8, 20ms), 0u);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  EXPECT_FALSE(queue.closed_and_empty());
}

TEST(BoundedQueue, PushAllWaitsForRoomItemByItem) {
  BoundedQueue<std::string> queue(4);
  std::vector<std::string> in{"aaa", "bbb", "ccc"};  // room for one at a time
  std::thread producer([&] { EXPECT_TRUE(queue.push_all(in, length)); });
  std::vector<std::string> out;
  while (out.size() < 3) {
    queue.pop_some(out, 8);
    EXPECT_LE(queue.cost(), 4u);
  }
  producer.join();
  EXPECT_EQ(out, (std::vector<std::string>{"aaa", "bbb", "ccc"}));
}

TEST(BoundedQueue, AnItemLargerThanTheCapacityGoesInAlone) {
  BoundedQueue<std::string> queue(2);
  std::vector<std::string> in{"large"};
  ASSERT_TRUE(queue.push_all(in, length));
  std::vector<std::string> out;
  ASSERT_TRUE(queue.pop_some(out, 8));
  EXPECT_EQ(out, std::vector<std::string>{"large"});
}

TEST(BoundedQueue, PushAllStopsAtCloseAndLeavesTheRestWithTheCaller) {
  BoundedQueue<std::string> queue(3);
  std::vector<std::string> in{"aaa", "bbb"};
  // Closes once the first item is in: push_all then either waits for room for the second and
  // sees the close, or sees it at once; either way the second is not taken.
  std::thread closer([&] {
    while (queue.cost() == 0) std::this_thread::yield();
    queue.close();
  });
  EXPECT_FALSE(queue.push_all(in, length)) << "the second waits for room, then sees the close";
  closer.join();
  EXPECT_EQ(in[1], "bbb") << "not taken";
  std::vector<std::string> out;
  ASSERT_TRUE(queue.pop_some(out, 8)) << "what went in is still drained";
  EXPECT_EQ(out, std::vector<std::string>{"aaa"});
}

}  // namespace
}  // namespace gd2s
