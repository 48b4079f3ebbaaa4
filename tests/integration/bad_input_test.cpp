// The bad-input corpus: each bad thing becomes a dead letter with a precise reason, never a
// crash, and every good line around it still arrives.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>

#include "pipeline/pipeline.h"
#include "sinks/dead_letter_file.h"
#include "sinks/dead_letter_reader.h"
#include "sinks/file/sink.h"
#include "sources/files/source.h"
#include "state/sqlite_store.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;

std::string good(const std::string& id, const std::string& extra = "") {
  return R"({"schemaVersion":"2.0","accountId":"111122223333","region":"us-east-1","id":")" + id +
         R"(","arn":"arn:x","type":"Recon:EC2/Portscan","resource":{"resourceType":"Instance"},)"
         R"("severity":5,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z")" +
         extra + "}";
}

struct Outcome {
  std::vector<std::string> ids;  // Ids of the rows that arrived
  struct Letter {
    std::string file, reason, stage, original;
    uint64_t line;
    bool truncated = false;
    uint64_t original_bytes = 0;
    std::string original_sha256 = {};
  };
  std::vector<Letter> letters;
  SourceTotals totals;
  std::string failure;  // why the run stopped, when it did
};

struct Limits {
  PipelineOptions pipeline;
  DeadLetterFileLimits dead_letters;
};

Outcome run_over(const test::TempDir& dir, const Limits& limits = {}) {
  SqliteStateStore state(dir.file("state.db"));
  Outcome outcome;
  {
    DeadLetterFile dead_letters(dir.file("dead.jsonl"), limits.dead_letters);
    FileSink sink(dir.file("out.jsonl"));
    FileSource source(FileSourceOptions{{dir.file("in")}}, state);
    auto schema = make_schema("native");
    FindingFilter filter(FilterOptions{});
    Dedupe dedupe(state, 168h);
    Pipeline pipeline(source, sink, dead_letters, *schema, filter, dedupe, limits.pipeline);
    try {
      pipeline.run();
    } catch (const PipelineError& error) {
      outcome.failure = error.what();
    }
    outcome.totals = source.totals();
  }
  simdjson::dom::parser parser;
  for (const std::string& line : test::read_lines(dir.file("out.jsonl")))
    outcome.ids.emplace_back(std::string_view(parser.parse(line)["Id"]));
  for (const std::string& line : test::read_lines(dir.file("dead.jsonl"))) {
    auto o = parser.parse(line).get_object().value();
    std::string unit{std::string_view(o["unit"])};
    std::string original =
        o["original"].error() ? "(base64)" : std::string(std::string_view(o["original"]));
    Outcome::Letter letter{
        unit.substr(unit.rfind('/') + 1), std::string(std::string_view(o["reason"])),
        std::string(std::string_view(o["stage"])), original, uint64_t(o["line"])};
    if (!o["original_truncated"].error()) {
      letter.truncated = bool(o["original_truncated"]);
      letter.original_bytes = uint64_t(o["original_bytes"]);
      letter.original_sha256 = std::string(std::string_view(o["original_sha256"]));
    }
    outcome.letters.push_back(std::move(letter));
  }
  return outcome;
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directory(dir.file("in")); }
  void put(const std::string& name, const std::string& bytes) {
    test::write_file(dir.file("in/" + name), bytes);
  }
  const Outcome::Letter* letter_for(const Outcome& o, const std::string& file) {
    for (const auto& l : o.letters)
      if (l.file == file) return &l;
    return nullptr;
  }
  test::TempDir dir;
};

TEST_F(BadInput, EachBadThingIsDeadLetteredWithItsReasonAndTheRestArrives) {
  std::string ok_gz = test::gzip(good("t1") + "\n" + good("t2") + "\n" + good("t3") + "\n");
  put("01-truncated.jsonl.gz", ok_gz.substr(0, ok_gz.size() - 12));
  put("02-not-json.gz", test::gzip("hello, this is not json\n"));
  put("03-invalid-utf8.jsonl",
      good("u1") + "\n" + good("u2", ",\"title\":\"caf\xC3\x28\"") + "\n" + good("u3") + "\n");
  put("04-huge-line.jsonl",
      good("h1") + "\n" + good("h2", ",\"title\":\"" + std::string(2 * 1024 * 1024, 'x') + "\"") +
          "\n" + good("h3") + "\n");
  put("05-deep.jsonl", good("d1", ",\"x\":" + std::string(200, '[') + std::string(200, ']')) +
                           "\n" + good("d2") + "\n");
  put("06-missing.jsonl", R"({"id":"m1","type":"Recon:EC2/Portscan"})"
                          "\n" +
                              good("m2") + "\n");
  put("07-wrong-type.jsonl",
      good("w1") + "\n" +
          std::string(
              R"({"schemaVersion":"2.0","accountId":"1","region":"r","id":"w2","arn":"a","type":"t","resource":{},"severity":"high","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"})") +
          "\n");
  put("08-scientific.jsonl",
      good("s1", R"(,"service":{"runtimeDetails":{"process":{"startTime":1.636625755218E9}}})") +
          "\n");
  put("09-duplicate-keys.jsonl", good("k1", R"(,"severity":9)") + "\n" + good("k2") + "\n");
  put("10-gzip-without-suffix.json", test::gzip(good("g1") + "\n"));

  Outcome o = run_over(dir);
  std::multiset<std::string> ids(o.ids.begin(), o.ids.end());
  for (const char* id : {"t1", "t2", "u1", "u3", "h1", "h3", "d2", "m2", "w1", "s1", "k2", "g1"})
    EXPECT_EQ(ids.count(id), 1u) << id;
  EXPECT_EQ(ids.size(), 12u) << "t3 is cut off by the truncation; nothing else is missing";

  std::map<std::string, std::pair<uint64_t, std::string>> expected{
      {"01-truncated.jsonl.gz", {3, "gzip stream is truncated"}},
      {"02-not-json.gz", {1, "not valid JSON: the structure is broken or cut short"}},
      {"03-invalid-utf8.jsonl", {2, "not valid UTF-8"}},
      {"04-huge-line.jsonl", {2, "line is longer than the 1048576-byte limit for one record"}},
      {"05-deep.jsonl", {1, "JSON nests deeper than 64 levels"}},
      {"06-missing.jsonl", {1, "required field \"schemaVersion\" is missing"}},
      {"07-wrong-type.jsonl", {2, "field \"severity\" is a string, expected a number"}},
      {"09-duplicate-keys.jsonl", {1, "duplicate key \"severity\" in the finding"}},
  };
  EXPECT_EQ(o.letters.size(), expected.size());
  for (const auto& [file, want] : expected) {
    const auto* letter = letter_for(o, file);
    ASSERT_NE(letter, nullptr) << file;
    EXPECT_EQ(letter->line, want.first) << file;
    EXPECT_EQ(letter->reason.rfind(want.second, 0), 0u) << file << ": " << letter->reason;
  }
  EXPECT_EQ(letter_for(o, "03-invalid-utf8.jsonl")->original, "(base64)");
  std::string huge = good("h2", ",\"title\":\"" + std::string(2 * 1024 * 1024, 'x') + "\"");
  const auto* cut = letter_for(o, "04-huge-line.jsonl");
  EXPECT_EQ(cut->original, huge.substr(0, 64 * 1024)) << "the start of the line is kept";
  EXPECT_TRUE(cut->truncated);
  EXPECT_EQ(cut->original_bytes, huge.size());
  EXPECT_EQ(cut->original_sha256, dead_letter_line_sha256(huge));
  EXPECT_EQ(o.totals.units_committed, o.totals.units_opened);
}

// Issue 18: five lines of 17 MiB of NUL bytes made 503 MB of dead letters. Scaled down: the
// dead letters keep only the start of each line, with its length and hash.
TEST_F(BadInput, LongLinesOfNulBytesMakeSmallDeadLetters) {
  std::string nuls(300 * 1024, '\0');
  std::string text = good("n0") + "\n";
  for (int i = 1; i <= 5; ++i) text += nuls + "\n" + good("n" + std::to_string(i)) + "\n";
  put("nul.jsonl.gz", test::gzip(text));
  Limits limits;
  limits.pipeline.reader.max_record_bytes = 64 * 1024;
  limits.pipeline.reader.max_kept_bytes = 1024;
  limits.dead_letters.max_record_bytes = 64 * 1024;
  limits.dead_letters.max_original_bytes = 1024;

  Outcome o = run_over(dir, limits);
  EXPECT_EQ(o.ids.size(), 6u) << "every good line between them arrives";
  ASSERT_EQ(o.letters.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(o.letters[i].line, 2 * i + 2);
    EXPECT_EQ(o.letters[i].reason.rfind("line is longer than the 65536-byte limit", 0), 0u);
    EXPECT_EQ(o.letters[i].original, "(base64)") << "cheaper than escaping each NUL";
    EXPECT_TRUE(o.letters[i].truncated);
    EXPECT_EQ(o.letters[i].original_bytes, nuls.size());
    EXPECT_EQ(o.letters[i].original_sha256, dead_letter_line_sha256(nuls));
  }
  EXPECT_LT(std::filesystem::file_size(dir.file("dead.jsonl")), 5u * (1400 + 600))
      << "only the first 1 KiB of each line is kept, as base64";
  EXPECT_EQ(o.totals.units_committed, 1u);
}

TEST_F(BadInput, ADeadLetterFileAtItsLimitStopsTheRunAndLosesNothing) {
  put("a.jsonl", good("a1") + "\nnot json 1\n" + good("a2") + "\nnot json 2\n" + good("a3") + "\n");
  Limits small;
  small.dead_letters.max_file_bytes = 100;  // not even one dead letter fits
  Outcome first = run_over(dir, small);
  EXPECT_NE(first.failure.find("max_file_bytes = 100"), std::string::npos) << first.failure;
  EXPECT_TRUE(first.letters.empty());
  EXPECT_EQ(first.totals.units_committed, 0u) << "the file's bad lines have no dead letter yet";

  Outcome second = run_over(dir);  // room again: the file is read again
  EXPECT_TRUE(second.failure.empty()) << second.failure;
  EXPECT_EQ(second.totals.units_committed, 1u);
  EXPECT_EQ(second.letters.size(), 2u);
  std::set<std::string> ids;
  for (const std::string& line : test::read_lines(dir.file("out.jsonl"))) {
    simdjson::dom::parser parser;
    ids.emplace(std::string_view(parser.parse(line)["Id"]));
  }
  EXPECT_EQ(ids, (std::set<std::string>{"a1", "a2", "a3"}));
}

TEST_F(BadInput, ACommittedFileIsNotReadAgainButAChangedOneIs) {
  put("a.jsonl", good("a1") + "\n");
  EXPECT_EQ(run_over(dir).ids.size(), 1u);
  Outcome second = run_over(dir);
  EXPECT_EQ(second.totals.units_opened, 0u) << "committed: skipped";
  put("a.jsonl", good("a1") + "\n" + good("a2") + "\n");
  Outcome third = run_over(dir);
  EXPECT_EQ(third.totals.units_opened, 1u);
  EXPECT_EQ(test::read_lines(dir.file("out.jsonl")).size(), 2u)
      << "a1 was already delivered (dedupe), only a2 is new";
}

}  // namespace
}  // namespace gd2s
