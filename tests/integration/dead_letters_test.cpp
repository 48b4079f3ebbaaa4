// `gd2sentinel dead-letters list|replay` end to end: a workspace that refuses every request
// (the emulator answers 400) dead-letters the rows at stage sink; once it accepts again, replay
// sends each of them exactly once and marks it, while a record that is bad in itself stays in
// the file, failing, never lost.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>

#include <algorithm>

#include "support/config_text.h"
#include "support/test_support.h"
#include "support/workspace_emulator.h"

namespace gd2s {
namespace {

using test::WorkspaceEmulator;

constexpr const char* kRefuseEverything = R"([{"endpoint": "logs_ingestion", "status": 400}])";

std::string write_config(const test::TempDir& dir, const WorkspaceEmulator& emulator) {
  return test::ConfigText()
      .files_source({dir.file("in")})
      .workspace_emulator(emulator, "env:GD2S_TEST_CLIENT_SECRET")
      .dead_letters(dir.file("dead.jsonl"))
      .state(dir.file("state.db"))
      .write(dir.file("gd2sentinel.toml"));
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Ids of the rows the workspace stores, sorted.
std::vector<std::string> stored_ids(WorkspaceEmulator& emulator) {
  std::vector<std::string> ids;
  simdjson::dom::parser parser;
  for (const std::string& row : emulator.rows("AWSGuardDuty")) {
    std::string_view id;
    if (!parser.parse(row)["Id"].get_string().get(id)) ids.emplace_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

class DeadLettersCli : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("GD2S_TEST_CLIENT_SECRET", WorkspaceEmulator::kClientSecret, 1);
    std::filesystem::create_directory(dir_.file("in"));
    test::write_file(dir_.file("in/findings.jsonl"),
                     test::finding_json("f-1") + "\n" + test::finding_json("f-2") + "\n" +
                         "this line is not JSON\n" + test::finding_json("f-3") + "\n");
    config_ = write_config(dir_, emulator_);
  }
  void TearDown() override { unsetenv("GD2S_TEST_CLIENT_SECRET"); }

  test::ProcessResult dead_letters(const std::string& command,
                                   const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"dead-letters", command, "--config", config_};
    args.insert(args.end(), extra.begin(), extra.end());
    test::ProcessResult r = test::run_binary(args);
    EXPECT_EQ(r.out.find(WorkspaceEmulator::kClientSecret), std::string::npos);
    EXPECT_EQ(r.err.find(WorkspaceEmulator::kClientSecret), std::string::npos);
    return r;
  }

  // The first run, while the workspace refuses every row: 3 at stage sink, 1 at decode.
  void run_while_the_workspace_refuses() {
    emulator_.set_faults(kRefuseEverything);
    auto r = test::run_binary({"run", "--config", config_});
    ASSERT_EQ(r.status, 0) << r.err;  // every record settled: dead letters count
    ASSERT_EQ(emulator_.row_count("AWSGuardDuty"), 0);
    ASSERT_EQ(test::read_lines(dir_.file("dead.jsonl")).size(), 4u);
  }

  WorkspaceEmulator emulator_;
  test::TempDir dir_;
  std::string config_;
};

TEST_F(DeadLettersCli, ListShowsEachDeadLetterWithItsStatusAndCountsByReason) {
  run_while_the_workspace_refuses();
  auto r = dead_letters("list");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(count(r.out, "[new]"), 4u) << r.out;
  EXPECT_EQ(count(r.out, "  sink       files "), 3u) << r.out;
  EXPECT_EQ(count(r.out, "  decode     files "), 1u) << r.out;
  EXPECT_NE(r.out.find("findings.jsonl line 3"), std::string::npos) << r.out;  // the bad line
  EXPECT_NE(r.out.find("4 dead letters in " + dir_.file("dead.jsonl") + ": 4 new"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("       3  sink       logs_ingestion refused the record: HTTP 400"),
            std::string::npos)
      << r.out;

  // --reason keeps the entries whose reason contains it, in any case.
  auto refused = dead_letters("list", {"--reason", "REFUSED THE RECORD"});
  ASSERT_EQ(refused.status, 0) << refused.err;
  EXPECT_EQ(count(refused.out, "[new]"), 3u) << refused.out;
  EXPECT_EQ(count(refused.out, "decode"), 0u) << refused.out;
  EXPECT_NE(refused.out.find("3 dead letters of 4 (reason contains"), std::string::npos)
      << refused.out;

  auto json = dead_letters("list", {"--format", "json"});
  ASSERT_EQ(json.status, 0) << json.err;
  simdjson::dom::parser parser;
  size_t lines = 0;
  for (size_t start = 0, end; (end = json.out.find('\n', start)) != std::string::npos;
       start = end + 1, ++lines) {
    auto object = parser.parse(json.out.substr(start, end - start)).get_object();
    ASSERT_FALSE(object.error()) << json.out;
    EXPECT_EQ(std::string_view(object["status"].get_string().value()), "new");
  }
  EXPECT_EQ(lines, 4u);
}

TEST_F(DeadLettersCli, ReplaySendsEachRefusedRowOnceWhenTheCauseIsFixedAndMarksIt) {
  run_while_the_workspace_refuses();
  const std::string file_before = test::read_file(dir_.file("dead.jsonl"));

  // The workspace still refuses: nothing is marked, nothing is added to the file.
  auto failing = dead_letters("replay");
  EXPECT_EQ(failing.status, 1) << failing.err;
  EXPECT_NE(failing.out.find("0 replayed (0 rows sent), 4 still failing, 0 skipped"),
            std::string::npos)
      << failing.out;
  EXPECT_EQ(emulator_.row_count("AWSGuardDuty"), 0);
  EXPECT_EQ(test::read_file(dir_.file("dead.jsonl")), file_before);
  auto listed = dead_letters("list");
  EXPECT_EQ(count(listed.out, "[last replay failed the same way]"), 4u) << listed.out;

  // Fixed: the workspace accepts again. Only the refused rows are asked for.
  emulator_.clear_faults();
  auto fixed = dead_letters("replay", {"--reason", "refused"});
  ASSERT_EQ(fixed.status, 0) << fixed.err << fixed.out;
  EXPECT_NE(fixed.out.find("3 replayed (3 rows sent), 0 still failing, 0 skipped"),
            std::string::npos)
      << fixed.out;
  EXPECT_EQ(stored_ids(emulator_), (std::vector<std::string>{"f-1", "f-2", "f-3"}));
  EXPECT_EQ(test::read_file(dir_.file("dead.jsonl")), file_before);

  // Everything: the bad line is still bad, so it stays, failing; nothing is sent twice.
  auto all = dead_letters("replay");
  EXPECT_EQ(all.status, 1) << all.err << all.out;
  EXPECT_NE(all.out.find("0 replayed (0 rows sent), 1 still failing, 3 skipped as already"),
            std::string::npos)
      << all.out;
  EXPECT_EQ(emulator_.row_count("AWSGuardDuty"), 3);
  EXPECT_EQ(test::read_file(dir_.file("dead.jsonl")), file_before);

  auto again = dead_letters("replay", {"--reason", "refused"});
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("0 replayed (0 rows sent), 0 still failing, 3 skipped"),
            std::string::npos)
      << again.out;
  EXPECT_EQ(emulator_.row_count("AWSGuardDuty"), 3);

  listed = dead_letters("list");
  EXPECT_EQ(count(listed.out, "[replayed at "), 3u) << listed.out;
  EXPECT_EQ(count(listed.out, "[last replay failed"), 1u) << listed.out;
  EXPECT_NE(listed.out.find("0 new, 3 replayed, 1 failed at the last replay"), std::string::npos)
      << listed.out;
}

TEST_F(DeadLettersCli, ABadLineAndALineBeingWrittenAreSkippedNotFatal) {
  run_while_the_workspace_refuses();
  std::string lines = test::read_file(dir_.file("dead.jsonl"));
  test::write_file(dir_.file("dead.jsonl"),
                   lines + "{\"half\": \"a torn line\n" + lines.substr(0, lines.find('\n') / 2));
  auto r = dead_letters("list");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(count(r.out, "[new]"), 4u) << r.out;
  EXPECT_NE(r.err.find("line 5 is not a dead letter"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("the last line has no newline yet"), std::string::npos) << r.err;

  emulator_.clear_faults();
  auto replay = dead_letters("replay", {"--reason", "refused"});
  EXPECT_EQ(replay.status, 0) << replay.err << replay.out;
  EXPECT_EQ(emulator_.row_count("AWSGuardDuty"), 3);
}

TEST_F(DeadLettersCli, BadUsageAndABadConfigExit2) {
  EXPECT_EQ(test::run_binary({"dead-letters", "list"}).status, 2);
  EXPECT_EQ(test::run_binary({"dead-letters", "--config", config_}).status, 2);
  test::write_file(dir_.file("bad.toml"), "[sink.nowhere]\n");
  EXPECT_EQ(test::run_binary({"dead-letters", "replay", "--config", dir_.file("bad.toml")}).status,
            2);
  // No dead letters yet: nothing to do.
  auto r = dead_letters("replay");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("0 replayed"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace gd2s
