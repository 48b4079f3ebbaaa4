// The bad-input corpus: each bad thing becomes a dead letter with a precise reason, never a
// crash, and every good line around it still arrives.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>

#include "pipeline/pipeline.h"
#include "sinks/dead_letter_file.h"
#include "sinks/file_sink.h"
#include "sources/file_source.h"
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
  };
  std::vector<Letter> letters;
  SourceTotals totals;
};

Outcome run_over(const test::TempDir& dir) {
  SqliteStateStore state(dir.file("state.db"));
  Outcome outcome;
  {
    DeadLetterFile dead_letters(dir.file("dead.jsonl"));
    FileSink sink(dir.file("out.jsonl"));
    FileSource source(FileSourceOptions{{dir.file("in")}}, state);
    auto schema = make_schema("native");
    FindingFilter filter(FilterOptions{});
    Dedupe dedupe(state, 168h);
    Pipeline pipeline(source, sink, dead_letters, *schema, filter, dedupe, {});
    pipeline.run();
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
    outcome.letters.push_back(
        {unit.substr(unit.rfind('/') + 1), std::string(std::string_view(o["reason"])),
         std::string(std::string_view(o["stage"])), original, uint64_t(o["line"])});
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
  EXPECT_EQ(letter_for(o, "04-huge-line.jsonl")->original.size(),
            good("h2", ",\"title\":\"" + std::string(2 * 1024 * 1024, 'x') + "\"").size())
      << "the whole line is kept for replay";
  EXPECT_EQ(o.totals.units_committed, o.totals.units_opened);
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
