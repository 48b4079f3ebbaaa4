#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "app/prometheus_text.h"
#include "state/sqlite_store.h"
#include "support/recording_sink.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;

std::string finding(const std::string& id, double severity = 5,
                    const std::string& updated = "2026-01-01T00:00:00Z") {
  return R"({"schemaVersion":"2.0","accountId":"111122223333","region":"us-east-1","id":")" + id +
         R"(","arn":"arn:x","type":"Recon:EC2/Portscan","resource":{"resourceType":"Instance"},)"
         R"("severity":)" +
         std::to_string(severity) + R"(,"createdAt":"2026-01-01T00:00:00Z","updatedAt":")" +
         updated + "\"}";
}

// Hands out the given units, each a list of lines; records which units committed and how.
class ScriptedSource final : public Source {
 public:
  explicit ScriptedSource(std::vector<std::vector<std::string>> units) : units_(std::move(units)) {}
  std::string_view name() const override { return "scripted"; }
  void run(RecordEmitter& out, std::stop_token) override {
    for (size_t u = 0; u < units_.size(); ++u) {
      auto unit =
          std::make_shared<UnitOfWork>("scripted", "unit-" + std::to_string(u), 0,
                                       [this, u](const UnitOfWork&, UnitOfWork::Ending ending) {
                                         std::lock_guard lock(mutex_);
                                         commits_[u] = ending;
                                       });
      ++opened_;
      uint64_t line = 0;
      for (const std::string& text : units_[u]) {
        out.record(unit, RawRecord{++line, text});
        emitted_.fetch_add(1);
      }
      unit->seal(UnitOfWork::Ending::kComplete);
    }
  }
  SourceTotals totals() const override {
    std::lock_guard lock(mutex_);
    return {opened_, commits_.size(), 0};
  }
  std::map<size_t, UnitOfWork::Ending> commits() const {
    std::lock_guard lock(mutex_);
    return commits_;
  }
  /// Records the pipeline has taken so far (out.record() returned).
  uint64_t emitted() const { return emitted_.load(); }

 private:
  std::atomic<uint64_t> emitted_{0};
  std::vector<std::vector<std::string>> units_;
  mutable std::mutex mutex_;
  std::map<size_t, UnitOfWork::Ending> commits_;
  uint64_t opened_ = 0;
};

using test::RecordingSink;

class MemoryDeadLetters final : public DeadLetterStore {
 public:
  void write(const DeadLetter& letter) override {
    std::lock_guard lock(mutex_);
    letters.push_back(letter);
  }
  std::mutex mutex_;
  std::vector<DeadLetter> letters;
};

struct Harness {
  test::TempDir dir;
  SqliteStateStore state{dir.file("state.db")};
  Dedupe dedupe{state, 168h};
  FindingFilter filter{FilterOptions{}};
  SchemaPtr schema = make_schema("native");
  RecordingSink sink;
  MemoryDeadLetters dead_letters;
};

TEST(Pipeline, SettlesEveryRecordAndCommitsEveryUnit) {
  Harness h;
  ScriptedSource source(
      {{finding("a"), finding("b")}, {finding("c"), "not json", finding("d")}, {}});
  Pipeline pipeline(source, h.sink, h.dead_letters, *h.schema, h.filter, h.dedupe, {});
  pipeline.run();
  EXPECT_EQ(h.sink.rows().size(), 4u);
  ASSERT_EQ(h.dead_letters.letters.size(), 1u);
  EXPECT_EQ(h.dead_letters.letters[0].unit, "unit-1");
  EXPECT_EQ(h.dead_letters.letters[0].line, 2u);
  EXPECT_EQ(h.dead_letters.letters[0].stage, DeadLetterStage::kDecode);
  EXPECT_EQ(h.dead_letters.letters[0].original, "not json");
  EXPECT_EQ(source.commits().size(), 3u);
  EXPECT_EQ(pipeline.stats().records_read.load(), 5u);
  EXPECT_EQ(pipeline.stats().rows_accepted.load(), 4u);
  EXPECT_EQ(pipeline.stats().dead_letters.load(), 1u);
}

TEST(Pipeline, SendsTheSameFindingVersionOnce) {
  Harness h;
  ScriptedSource source(
      {{finding("a"), finding("a")}, {finding("a"), finding("a", 5, "2026-01-02T00:00:00Z")}});
  Pipeline pipeline(source, h.sink, h.dead_letters, *h.schema, h.filter, h.dedupe, {});
  pipeline.run();
  EXPECT_EQ(h.sink.rows().size(), 2u);
  EXPECT_EQ(pipeline.stats().duplicates.load(), 2u);
  EXPECT_EQ(source.commits().size(), 2u);
}

TEST(Pipeline, DeadLettersRowsTheSinkRejectsAndLetsTheVersionThroughLater) {
  Harness h;
  h.sink.reject_marker = "\"Id\":\"bad\"";
  ScriptedSource source({{finding("good"), finding("bad")}});
  Pipeline pipeline(source, h.sink, h.dead_letters, *h.schema, h.filter, h.dedupe, {});
  pipeline.run();
  ASSERT_EQ(h.dead_letters.letters.size(), 1u);
  EXPECT_EQ(h.dead_letters.letters[0].stage, DeadLetterStage::kSink);
  EXPECT_EQ(h.dead_letters.letters[0].reason, "refused by the destination");
  EXPECT_EQ(source.commits().size(), 1u);
  EXPECT_FALSE(h.dedupe.is_duplicate({"bad", "2026-01-01T00:00:00.000Z"}));
}

TEST(Pipeline, ASinkFailureLeavesUnitsUncommitted) {
  Harness h;
  h.sink.fail = true;
  ScriptedSource source({{finding("a"), finding("b")}});
  Pipeline pipeline(source, h.sink, h.dead_letters, *h.schema, h.filter, h.dedupe, {});
  try {
    pipeline.run();
    FAIL() << "expected PipelineError";
  } catch (const PipelineError& e) {
    EXPECT_STREQ(e.what(), "sink recording: destination unreachable");
  }
  EXPECT_TRUE(source.commits().empty());
  Dedupe after_restart(h.state, 168h);
  EXPECT_FALSE(after_restart.is_duplicate({"a", "2026-01-01T00:00:00.000Z"}))
      << "nothing counts as delivered";
}

TEST(Pipeline, FilteredRecordsCountAsSettled) {
  Harness h;
  FilterOptions options;
  options.min_severity = 7;
  FindingFilter filter(options);
  ScriptedSource source({{finding("low", 2), finding("high", 8)}});
  Pipeline pipeline(source, h.sink, h.dead_letters, *h.schema, filter, h.dedupe, {});
  pipeline.run();
  EXPECT_EQ(h.sink.rows().size(), 1u);
  EXPECT_EQ(pipeline.stats().filtered.load(), 1u);
  EXPECT_EQ(source.commits().size(), 1u);
}

// A slow sink: it holds its first batch for `hold`, then accepts everything. What the source
// had handed over by the end of the hold is what the pipeline buffered for a stuck sink.
class SlowSink final : public Sink {
 public:
  SlowSink(const ScriptedSource& source, Duration hold) : source_(source), hold_(hold) {}
  std::string_view name() const override { return "slow"; }
  void send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) override {
    if (!held_) {
      std::this_thread::sleep_for(hold_);  // the destination's slowness, not synchronisation
      held_ = true;
      taken_while_held_ = source_.emitted();
    }
    accepted_ += rows.size();
    receiver.accepted(rows);
  }
  void flush() override {}
  size_t accepted() const { return accepted_; }
  uint64_t taken_while_held() const { return taken_while_held_; }

 private:
  const ScriptedSource& source_;
  Duration hold_;
  bool held_ = false;  // the sink thread's own
  size_t accepted_ = 0;
  uint64_t taken_while_held_ = 0;
};

TEST(Pipeline, MemoryStaysBoundedWithASlowSink) {
  // While the sink holds its first batch, the source may hand over only what the bounded queues
  // (4 KiB each), the workers' batches and the sink's batch hold: back-pressure, not buffering.
  // Without it, the source hands over all 2000 records well within the hold.
  Harness h;
  std::vector<std::string> lines;
  for (int i = 0; i < 2000; ++i) lines.push_back(finding("f" + std::to_string(i)));
  ScriptedSource source({lines});
  SlowSink sink(source, std::chrono::seconds(1));
  PipelineOptions options;
  options.raw_queue_bytes = 4096;
  options.row_queue_bytes = 4096;
  options.batch_rows = 7;
  options.workers = 2;
  Pipeline pipeline(source, sink, h.dead_letters, *h.schema, h.filter, h.dedupe, options);
  pipeline.run();
  EXPECT_EQ(sink.accepted(), 2000u);
  EXPECT_EQ(source.commits().size(), 1u);
  // 2 workers x 64 records + 7 at the sink + what fits in two 4 KiB queues: well under 400.
  EXPECT_LT(sink.taken_while_held(), 400u) << "records taken while the sink was stuck";
  EXPECT_GT(sink.taken_while_held(), 0u);
}

std::string metrics_of(const Pipeline& pipeline) {
  PrometheusText text;
  pipeline.write_metrics(text);
  return text.text();
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(PipelineMetrics, AccountForEveryRecordAndUnit) {
  Harness h;
  ScriptedSource source(
      {{finding("a"), finding("b")}, {finding("c"), "not json", finding("a")}, {}});
  Pipeline pipeline(source, h.sink, h.dead_letters, *h.schema, h.filter, h.dedupe, {});
  pipeline.run();
  std::string text = metrics_of(pipeline);
  const std::string labels = R"({source="scripted",sink="recording"})";
  EXPECT_TRUE(has_line(text, "gd2sentinel_records_read_total" + labels + " 5")) << text;
  EXPECT_TRUE(has_line(text, "gd2sentinel_records_sent_total" + labels + " 3")) << text;
  EXPECT_TRUE(has_line(text, "gd2sentinel_records_deduplicated_total" + labels + " 1")) << text;
  EXPECT_TRUE(has_line(text, "gd2sentinel_records_dead_lettered_total" + labels + " 1")) << text;
  EXPECT_TRUE(has_line(text, "gd2sentinel_records_pending" + labels + " 0")) << text;
  EXPECT_TRUE(has_line(text, "gd2sentinel_units_committed_total" + labels + " 3")) << text;
  EXPECT_TRUE(has_line(text, R"(gd2sentinel_units_in_flight{source="scripted"} 0)")) << text;
  EXPECT_TRUE(has_line(text, R"(gd2sentinel_checkpoint_lag_seconds{source="scripted"} 0)")) << text;
  EXPECT_TRUE(has_line(text, "# TYPE gd2sentinel_records_read_total counter")) << text;
  EXPECT_TRUE(has_line(text, "# TYPE gd2sentinel_units_in_flight gauge")) << text;
  Readiness readiness = pipeline.ready(std::chrono::milliseconds(0));
  EXPECT_TRUE(readiness.ready);
  EXPECT_NE(readiness.reason.find("nothing waits"), std::string::npos) << readiness.reason;
}

// Holds every row until release(), then accepts them all.
class HoldingSink final : public Sink {
 public:
  std::string_view name() const override { return "holding"; }
  void send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) override {
    std::lock_guard lock(mutex_);
    receiver_ = &receiver;
    for (OutboundRow& row : rows) held_.push_back(std::move(row));
    changed_.notify_all();
  }
  void flush() override {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return released_; });
  }
  size_t held() {
    std::lock_guard lock(mutex_);
    return held_.size();
  }
  void release() {
    std::lock_guard lock(mutex_);
    if (receiver_) receiver_->accepted(held_);
    held_.clear();
    released_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  DeliveryReceiver* receiver_ = nullptr;
  std::vector<OutboundRow> held_;
  bool released_ = false;
};

TEST(PipelineMetrics, NotReadyWhileRowsWaitLongerThanTheWindowThenReady) {
  Harness h;
  ScriptedSource source({{finding("a"), finding("b")}});
  HoldingSink sink;
  Pipeline pipeline(source, sink, h.dead_letters, *h.schema, h.filter, h.dedupe, {});
  std::thread runner([&] { pipeline.run(); });
  ASSERT_TRUE(test::wait_until([&] { return sink.held() == 2; }, std::chrono::seconds(10)));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  Readiness readiness = pipeline.ready(std::chrono::milliseconds(10));
  EXPECT_FALSE(readiness.ready);
  EXPECT_NE(readiness.reason.find("not ready: 2 records wait"), std::string::npos)
      << readiness.reason;
  // A window longer than the wait since the start is still fine.
  readiness = pipeline.ready(std::chrono::minutes(5));
  EXPECT_TRUE(readiness.ready) << readiness.reason;
  std::string text = metrics_of(pipeline);
  EXPECT_TRUE(has_line(text, R"(gd2sentinel_records_pending{source="scripted",sink="holding"} 2)"))
      << text;
  EXPECT_FALSE(has_line(text, R"(gd2sentinel_checkpoint_lag_seconds{source="scripted"} 0)"))
      << text;
  sink.release();
  runner.join();
  readiness = pipeline.ready(std::chrono::milliseconds(10));
  EXPECT_TRUE(readiness.ready) << readiness.reason;
}

}  // namespace
}  // namespace gd2s
