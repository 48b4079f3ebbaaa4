#include "app/progress.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

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

TEST(Progress, ElsewhereLogsALineEveryInterval) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured)));
  CountingSource source;
  PipelineStats stats;
  {
    ProgressReporter progress(source, stats, false, 100ms);
    std::this_thread::sleep_for(450ms);
  }
  spdlog::set_default_logger(previous);
  std::string text = captured.str();
  size_t lines = 0;
  for (size_t at = 0;
       (at = text.find("progress: objects 5/10 done (50%)", at)) != std::string::npos; ++at)
    ++lines;
  EXPECT_GE(lines, 3u) << text;
  EXPECT_LE(lines, 5u) << text;
}

}  // namespace
}  // namespace gd2s
