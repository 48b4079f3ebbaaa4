#include "pipeline/pipeline.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "state/sqlite_store.h"
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
      for (const std::string& text : units_[u]) out.record(unit, RawRecord{++line, text});
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

 private:
  std::vector<std::vector<std::string>> units_;
  mutable std::mutex mutex_;
  std::map<size_t, UnitOfWork::Ending> commits_;
  uint64_t opened_ = 0;
};

// Accepts rows, except those containing `reject_marker`, which it rejects; can fail outright.
class RecordingSink final : public Sink {
 public:
  std::string_view name() const override { return "recording"; }
  void send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) override {
    if (fail_) throw std::runtime_error("destination unreachable");
    std::vector<OutboundRow> ok;
    for (OutboundRow& row : rows) {
      if (!reject_marker_.empty() && row.json.find(reject_marker_) != std::string::npos) {
        receiver.rejected(row, "refused by the destination");
      } else {
        std::lock_guard lock(mutex_);
        rows_.push_back(row.json);
        ok.push_back(std::move(row));
      }
    }
    receiver.accepted(ok);
  }
  void flush() override {}
  std::vector<std::string> rows() const {
    std::lock_guard lock(mutex_);
    return rows_;
  }
  std::string reject_marker_;
  bool fail_ = false;

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> rows_;
};

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
  EXPECT_EQ(h.dead_letters.letters[0].stage, "decode");
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
  h.sink.reject_marker_ = "\"Id\":\"bad\"";
  ScriptedSource source({{finding("good"), finding("bad")}});
  Pipeline pipeline(source, h.sink, h.dead_letters, *h.schema, h.filter, h.dedupe, {});
  pipeline.run();
  ASSERT_EQ(h.dead_letters.letters.size(), 1u);
  EXPECT_EQ(h.dead_letters.letters[0].stage, "sink");
  EXPECT_EQ(h.dead_letters.letters[0].reason, "refused by the destination");
  EXPECT_EQ(source.commits().size(), 1u);
  EXPECT_FALSE(h.dedupe.is_duplicate({"bad", "2026-01-01T00:00:00.000Z"}));
}

TEST(Pipeline, ASinkFailureLeavesUnitsUncommitted) {
  Harness h;
  h.sink.fail_ = true;
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

TEST(Pipeline, MemoryStaysBoundedWithASlowSink) {
  // A tiny queue bound still moves everything through, one batch at a time.
  Harness h;
  std::vector<std::string> lines;
  for (int i = 0; i < 2000; ++i) lines.push_back(finding("f" + std::to_string(i)));
  ScriptedSource source({lines});
  PipelineOptions options;
  options.raw_queue_bytes = 4096;
  options.row_queue_bytes = 4096;
  options.batch_rows = 7;
  Pipeline pipeline(source, h.sink, h.dead_letters, *h.schema, h.filter, h.dedupe, options);
  pipeline.run();
  EXPECT_EQ(h.sink.rows().size(), 2000u);
  EXPECT_EQ(source.commits().size(), 1u);
}

}  // namespace
}  // namespace gd2s
