#include "pipeline/dead_letter_replay.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "state/sqlite_store.h"
#include "support/recording_sink.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;

using test::RecordingSink;

DeadLetterEntry entry(uint64_t number, const std::string& stage, const std::string& original) {
  DeadLetterEntry e;
  e.number = number;
  e.line_sha256 = dead_letter_line_sha256(std::to_string(number));
  e.letter = DeadLetter{
      *parse_stage(stage), "first failure", "files", "/in/f.jsonl", 1, original, now_utc()};
  return e;
}

struct Harness {
  explicit Harness(FilterOptions filter_options = {}) : filter(std::move(filter_options)) {}
  test::TempDir dir;
  SqliteStateStore state{dir.file("state.db")};
  Dedupe dedupe{state, 168h};
  FindingFilter filter;
  SchemaPtr schema = make_schema("native");
  RecordingSink sink;
  DeadLetterReplayer replayer{sink, *schema, filter, dedupe, PipelineOptions{}};
};

TEST(DeadLetterReplay, SendsASinkRefusedRowAsItIs) {
  Harness h;
  std::vector<DeadLetterEntry> entries{entry(4, "sink", R"({"Id":"row-as-made","Severity":5})")};
  auto results = h.replayer.replay(entries);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].replayed) << results[0].failure;
  EXPECT_EQ(results[0].rows_sent, 1u);
  EXPECT_EQ(h.sink.rows(), std::vector<std::string>{R"({"Id":"row-as-made","Severity":5})"});
}

TEST(DeadLetterReplay, RunsARecordThroughTheDecoderSchemaAndSinkAgain) {
  Harness h;
  std::vector<DeadLetterEntry> entries{entry(2, "decode", test::finding_json("f-1")),
                                       entry(3, "transform", test::finding_json("f-2"))};
  auto results = h.replayer.replay(entries);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].replayed) << results[0].failure;
  EXPECT_TRUE(results[1].replayed) << results[1].failure;
  auto rows = h.sink.rows();
  ASSERT_EQ(rows.size(), 2u);
  for (const std::string& row : rows)  // native rows, not the raw findings
    EXPECT_NE(row.find("\"ActivityType\":\"Recon:EC2/Portscan\""), std::string::npos) << row;
  // Delivered versions are remembered, as in a run.
  EXPECT_TRUE(h.state.delivered_since({"f-1", "2026-03-01T00:00:00.000Z"}, Timestamp{}));
}

TEST(DeadLetterReplay, ABadRecordStaysFailingWithItsNewReason) {
  Harness h;
  std::vector<DeadLetterEntry> entries{entry(1, "decode", "{\"id\": oops"),
                                       entry(2, "decode", test::finding_json("ok"))};
  auto results = h.replayer.replay(entries);
  EXPECT_FALSE(results[0].replayed);
  EXPECT_FALSE(results[0].failure.empty());
  EXPECT_NE(results[0].failure, "first failure");
  EXPECT_TRUE(results[1].replayed) << results[1].failure;
  EXPECT_EQ(h.sink.rows().size(), 1u);
}

TEST(DeadLetterReplay, ARowRefusedAgainKeepsTheSinksReason) {
  Harness h;
  h.sink.reject_marker = "still-bad";
  std::vector<DeadLetterEntry> entries{entry(1, "sink", R"({"Id":"still-bad"})"),
                                       entry(2, "sink", R"({"Id":"fine"})"),
                                       entry(3, "decode", test::finding_json("still-bad"))};
  auto results = h.replayer.replay(entries);
  EXPECT_FALSE(results[0].replayed);
  EXPECT_EQ(results[0].failure, "refused by the destination");
  EXPECT_TRUE(results[1].replayed);
  EXPECT_FALSE(results[2].replayed);
  EXPECT_EQ(results[2].failure, "refused by the destination");
  // The refused version is released, so a later replay can deliver it.
  EXPECT_FALSE(h.state.delivered_since({"still-bad", "2026-03-01T00:00:00.000Z"}, Timestamp{}));
}

TEST(DeadLetterReplay, AFindingTheFilterNowDropsCountsAsReplayed) {
  FilterOptions options;
  options.min_severity = 8;
  Harness h(options);
  std::vector<DeadLetterEntry> entries{entry(1, "decode", test::finding_json("low"))};
  auto results = h.replayer.replay(entries);
  EXPECT_TRUE(results[0].replayed) << results[0].failure;
  EXPECT_EQ(results[0].rows_sent, 0u);
  EXPECT_TRUE(h.sink.rows().empty());
}

TEST(DeadLetterReplay, AVersionAlreadyDeliveredIsNotSentAgain) {
  Harness h;
  FindingVersion version{"seen", "2026-03-01T00:00:00.000Z"};
  h.state.remember_delivered(std::span(&version, 1), now_utc());
  std::vector<DeadLetterEntry> entries{entry(1, "decode", test::finding_json("seen"))};
  auto results = h.replayer.replay(entries);
  EXPECT_TRUE(results[0].replayed) << results[0].failure;
  EXPECT_EQ(results[0].rows_sent, 0u);
  EXPECT_TRUE(h.sink.rows().empty());
}

TEST(DeadLetterReplay, AnEmptyOriginalIsNeverCountedAsReplayed) {
  Harness h;
  std::vector<DeadLetterEntry> entries{entry(1, "decode", "")};
  auto results = h.replayer.replay(entries);
  EXPECT_FALSE(results[0].replayed);
  EXPECT_NE(results[0].failure.find("no record"), std::string::npos) << results[0].failure;
}

TEST(DeadLetterReplay, ATruncatedOriginalIsNeverSent) {
  Harness h;
  std::vector<DeadLetterEntry> entries{entry(7, "decode", test::finding_json("f-cut")),
                                       entry(8, "sink", R"({"Id":"row-cut"})"),
                                       entry(9, "decode", test::finding_json("f-whole"))};
  for (size_t i = 0; i < 2; ++i)
    entries[i].letter.truncated = TruncatedOriginal{2000000, std::string(64, 'a')};
  auto results = h.replayer.replay(entries);
  ASSERT_EQ(results.size(), 3u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_FALSE(results[i].replayed);
    EXPECT_EQ(
        results[i].failure.rfind("cannot be replayed: the dead letter keeps only the first ", 0),
        0u)
        << results[i].failure;
    EXPECT_NE(results[i].failure.find("of the original's 2000000 bytes"), std::string::npos);
  }
  EXPECT_TRUE(results[2].replayed) << results[2].failure;
  ASSERT_EQ(h.sink.rows().size(), 1u) << "only the whole record is sent";
  EXPECT_NE(h.sink.rows()[0].find("f-whole"), std::string::npos);
}

TEST(DeadLetterReplay, ASinkThatStopsFailsEveryLetterFromThenOn) {
  Harness h;
  h.sink.fail = true;
  std::vector<DeadLetterEntry> entries{entry(1, "sink", "{}"),
                                       entry(2, "decode", test::finding_json("x"))};
  auto results = h.replayer.replay(entries);
  for (const ReplayResult& result : results) {
    EXPECT_FALSE(result.replayed);
    EXPECT_NE(result.failure.find("destination unreachable"), std::string::npos) << result.failure;
  }
  EXPECT_NE(h.replayer.stopped().find("destination unreachable"), std::string::npos);
  int sends = h.sink.sends;
  results = h.replayer.replay(entries);
  EXPECT_FALSE(results[1].replayed);
  EXPECT_EQ(h.sink.sends.load(), sends);  // not tried again
}

// The marks `dead-letters replay` keeps in the state store.
TEST(DeadLetterMarks, ALineNeverReplayedHasNoMark) {
  test::TempDir dir;
  SqliteStateStore state(dir.file("state.db"));
  EXPECT_FALSE(state.dead_letter_mark(dead_letter_line_sha256("x"), 1));
}

TEST(DeadLetterMarks, AFailedReplayKeepsItsReasonAndCountsAttempts) {
  test::TempDir dir;
  SqliteStateStore state(dir.file("state.db"));
  std::string key = dead_letter_line_sha256("line");
  Timestamp t1 = parse_iso8601("2026-03-01T10:00:00Z").value();
  Timestamp t2 = parse_iso8601("2026-03-01T11:00:00Z").value();
  state.record_replay(key, 1, t1, "HTTP 400 first");
  state.record_replay(key, 1, t2, "HTTP 400 second");
  auto mark = state.dead_letter_mark(key, 1);
  ASSERT_TRUE(mark);
  EXPECT_FALSE(mark->replayed_at);
  EXPECT_EQ(mark->attempts, 2u);
  EXPECT_EQ(mark->attempted_at, t2);
  EXPECT_EQ(mark->last_failure, "HTTP 400 second");
  EXPECT_FALSE(state.dead_letter_mark(key, 2));  // the identical line after it is another entry
}

TEST(DeadLetterMarks, AReplayedMarkIsFinalAndSurvivesARestart) {
  test::TempDir dir;
  std::string key = dead_letter_line_sha256("line");
  Timestamp t1 = parse_iso8601("2026-03-01T10:00:00Z").value();
  Timestamp t2 = parse_iso8601("2026-03-01T11:00:00Z").value();
  {
    SqliteStateStore state(dir.file("state.db"));
    state.record_replay(key, 2, t1, "HTTP 503");
    state.record_replay(key, 2, t2, "");
    state.record_replay(key, 2, t2 + 1h, "must not undo it");
  }
  SqliteStateStore state(dir.file("state.db"));
  auto mark = state.dead_letter_mark(key, 2);
  ASSERT_TRUE(mark);
  ASSERT_TRUE(mark->replayed_at);
  EXPECT_EQ(*mark->replayed_at, t2);
  EXPECT_EQ(mark->attempts, 2u);
  EXPECT_EQ(mark->last_failure, "");
  EXPECT_FALSE(state.dead_letter_mark(key, 1));
}

TEST(DeadLetterMarks, ADatabaseFromBeforeTheMarksIsMigrated) {
  test::TempDir dir;
  // Schema 1 is schema 2 without the replay marks.
  test::write_schema_two_state(dir.file("state.db"),
                               "DROP TABLE dead_letter_replays; PRAGMA user_version = 1;");
  SqliteStateStore state(dir.file("state.db"));
  EXPECT_EQ(state.schema_version(), SqliteStateStore::latest_schema_version());
  state.record_replay(dead_letter_line_sha256("x"), 1, now_utc(), "");
  EXPECT_TRUE(state.dead_letter_mark(dead_letter_line_sha256("x"), 1)->replayed_at);
}

}  // namespace
}  // namespace gd2s
