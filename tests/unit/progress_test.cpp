#include "app/progress.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "support/test_support.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;

TEST(Progress, TextGivesDoneOfExpectedRateAndEta) {
  EXPECT_EQ(progress_text({120, 118, 2, 2000}, 4100, 5s),
            "objects 120/2,000 done (6%), 4,100 findings read, 820 findings/s, ETA 1m18s");
  EXPECT_EQ(progress_text({3, 3, 0, 0}, 10, 5s), "objects 3 done, 10 findings read, 2 findings/s");
  EXPECT_EQ(progress_text({20, 20, 0, 20}, 31, 1s),
            "objects 20/20 done (100%), 31 findings read, 31 findings/s");
  EXPECT_EQ(progress_text({0, 0, 0, 0}, 0, 0s), "objects 0 done, 0 findings read, 0 findings/s");
}

class CountingSource final : public Source {
 public:
  std::string_view name() const override { return "counting"; }
  void run(RecordEmitter&, std::stop_token) override {}
  SourceTotals totals() const override { return {5, 5, 0, 10}; }
};

TEST(Progress, OnATerminalRedrawsOneLineAndLeavesTheLastOnScreen) {
  test::TempDir dir;
  std::FILE* out = std::fopen(dir.file("tty").c_str(), "w+");
  ASSERT_NE(out, nullptr);
  CountingSource source;
  PipelineStats stats;
  stats.records_read = 42;
  {
    ProgressReporter progress(source, stats, true, 0s, out);
    std::this_thread::sleep_for(1200ms);
  }
  std::fclose(out);
  std::string text = test::read_file(dir.file("tty"));
  EXPECT_EQ(text.rfind("\r\033[Kobjects 5/10 done (50%), 42 findings read, ", 0), 0u) << text;
  EXPECT_TRUE(text.ends_with("\n")) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

// Keeps when each progress line was logged, and wakes whoever waits for a number of them.
class LineClock final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  bool wait_for_lines(size_t count, std::chrono::seconds deadline) {
    std::unique_lock lock(times_mutex_);
    return logged_.wait_for(lock, deadline, [&] { return times_.size() >= count; });
  }
  std::vector<std::chrono::steady_clock::time_point> times() {
    std::lock_guard lock(times_mutex_);
    return times_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    if (text.find("progress: objects 5/10 done (50%)") == std::string_view::npos) return;
    std::lock_guard lock(times_mutex_);
    times_.push_back(std::chrono::steady_clock::now());
    logged_.notify_all();
  }
  void flush_() override {}

 private:
  std::mutex times_mutex_;
  std::condition_variable logged_;
  std::vector<std::chrono::steady_clock::time_point> times_;
};

TEST(Progress, ElsewhereLogsALineEveryInterval) {
  auto clock = std::make_shared<LineClock>();
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", clock));
  CountingSource source;
  PipelineStats stats;
  auto started = std::chrono::steady_clock::now();
  bool three = false;
  {
    ProgressReporter progress(source, stats, false, 100ms);
    three = clock->wait_for_lines(3, std::chrono::seconds(10));
  }
  spdlog::set_default_logger(previous);
  ASSERT_TRUE(three) << "three progress lines within 10 s at a 100 ms interval";
  // One line per interval: none comes sooner than the interval after the one before.
  auto times = clock->times();
  auto before = started;
  for (auto at : times) {
    EXPECT_GE(at - before, 95ms);
    before = at;
  }
}

}  // namespace
}  // namespace gd2s
