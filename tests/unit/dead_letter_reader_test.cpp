#include "sinks/dead_letter_reader.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/sha256.h"
#include "sinks/dead_letter_file.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

DeadLetter letter(const std::string& stage, const std::string& original, uint64_t line = 3) {
  return DeadLetter{*parse_stage(stage),
                    "why " + stage,
                    "files",
                    "/in/findings.jsonl",
                    line,
                    original,
                    parse_iso8601("2026-03-01T10:00:00.123Z").value()};
}

std::vector<DeadLetterEntry> read_all(const std::string& path, DeadLetterScan* scan = nullptr) {
  std::vector<DeadLetterEntry> entries;
  DeadLetterScan found =
      read_dead_letters(path, [&](DeadLetterEntry& entry) { entries.push_back(entry); });
  if (scan != nullptr) *scan = found;
  return entries;
}

TEST(DeadLetterReader, ReadsBackWhatTheDeadLetterFileWrote) {
  test::TempDir dir;
  std::string binary("\x1f\x8b\x08\x00\xff\xfe raw", 11);
  {
    DeadLetterFile file(dir.file("dead.jsonl"));
    file.write(letter("decode", "not json {"));
    file.write(letter("sink", R"({"Id":"a","Severity":5})", 0));
    file.write(letter("transform", binary, 7));
  }
  ASSERT_NE(test::read_file(dir.file("dead.jsonl")).find("original_base64"), std::string::npos);

  DeadLetterScan scan;
  auto entries = read_all(dir.file("dead.jsonl"), &scan);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_TRUE(scan.exists);
  EXPECT_EQ(scan.entries, 3u);
  EXPECT_TRUE(scan.bad_lines.empty());
  EXPECT_FALSE(scan.partial_last_line);

  EXPECT_EQ(entries[0].number, 1u);
  EXPECT_EQ(entries[0].letter.stage, DeadLetterStage::kDecode);
  EXPECT_EQ(entries[0].letter.reason, "why decode");
  EXPECT_EQ(entries[0].letter.source, "files");
  EXPECT_EQ(entries[0].letter.unit, "/in/findings.jsonl");
  EXPECT_EQ(entries[0].letter.line, 3u);
  EXPECT_EQ(entries[0].letter.original, "not json {");
  EXPECT_EQ(format_iso8601(entries[0].letter.at), "2026-03-01T10:00:00.123Z");
  EXPECT_EQ(entries[1].letter.stage, DeadLetterStage::kSink);
  EXPECT_EQ(entries[1].letter.original, R"({"Id":"a","Severity":5})");
  EXPECT_EQ(entries[2].letter.original, binary);  // from original_base64, byte for byte
  EXPECT_EQ(entries[2].letter.line, 7u);
}

TEST(DeadLetterReader, LeavesAPartialLastLineForLater) {
  test::TempDir dir;
  std::string whole = DeadLetterFile::to_json(letter("decode", "x"));
  std::string half = DeadLetterFile::to_json(letter("sink", "{}")).substr(0, 40);
  test::write_file(dir.file("dead.jsonl"), whole + "\n" + half);

  DeadLetterScan scan;
  auto entries = read_all(dir.file("dead.jsonl"), &scan);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_TRUE(scan.partial_last_line);
  EXPECT_TRUE(scan.bad_lines.empty());  // being written is not bad

  // Once the writer finishes the line, it is read like any other.
  test::write_file(dir.file("dead.jsonl"),
                   whole + "\n" + DeadLetterFile::to_json(letter("sink", "{}")) + "\n");
  entries = read_all(dir.file("dead.jsonl"), &scan);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_FALSE(scan.partial_last_line);
  EXPECT_EQ(entries[1].letter.stage, DeadLetterStage::kSink);
}

TEST(DeadLetterReader, ReportsBadLinesAndReadsOnPastThem) {
  test::TempDir dir;
  std::string good = DeadLetterFile::to_json(letter("decode", "x"));
  std::string other_stage = good;
  other_stage.replace(other_stage.find("\"decode\""), 8, "\"enrich\"");
  std::string bad_base64 =
      R"({"time":"2026-03-01T10:00:00Z","stage":"sink","reason":"r","source":"files","unit":"u","line":1,"original_base64":"@@@"})";
  std::string no_original =
      R"({"time":"2026-03-01T10:00:00Z","stage":"sink","reason":"r","source":"files","unit":"u","line":1})";
  test::write_file(dir.file("dead.jsonl"), good + "\n" + "{not json\n" + other_stage + "\n" +
                                               bad_base64 + "\n\n" + no_original + "\n" + good +
                                               "\n");

  DeadLetterScan scan;
  auto entries = read_all(dir.file("dead.jsonl"), &scan);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].number, 1u);
  EXPECT_EQ(entries[1].number, 7u);  // the blank line 5 counts, silently
  ASSERT_EQ(scan.bad_lines.size(), 4u);
  EXPECT_EQ(scan.bad_lines[0].number, 2u);
  EXPECT_NE(scan.bad_lines[0].reason.find("not a JSON object"), std::string::npos);
  EXPECT_EQ(scan.bad_lines[1].number, 3u);
  EXPECT_NE(scan.bad_lines[1].reason.find("\"enrich\""), std::string::npos);
  EXPECT_EQ(scan.bad_lines[2].number, 4u);
  EXPECT_NE(scan.bad_lines[2].reason.find("not base64"), std::string::npos);
  EXPECT_EQ(scan.bad_lines[3].number, 6u);
  EXPECT_NE(scan.bad_lines[3].reason.find("original"), std::string::npos);
}

TEST(DeadLetterReader, NamesIdenticalLinesByTheirOrdinal) {
  test::TempDir dir;
  std::string a = DeadLetterFile::to_json(letter("decode", "x"));
  std::string b = DeadLetterFile::to_json(letter("decode", "y"));
  test::write_file(dir.file("dead.jsonl"), a + "\n" + b + "\n" + a + "\n" + a + "\n");

  auto entries = read_all(dir.file("dead.jsonl"));
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].line_sha256, dead_letter_line_sha256(a));
  EXPECT_EQ(entries[0].line_sha256.size(), 64u);
  EXPECT_EQ(entries[1].line_sha256, dead_letter_line_sha256(b));
  EXPECT_EQ(entries[2].line_sha256, entries[0].line_sha256);
  EXPECT_EQ(entries[3].line_sha256, entries[0].line_sha256);
  EXPECT_EQ(entries[0].ordinal, 1u);
  EXPECT_EQ(entries[1].ordinal, 1u);
  EXPECT_EQ(entries[2].ordinal, 2u);
  EXPECT_EQ(entries[3].ordinal, 3u);
  // The hash is of the exact bytes: the same letter written again later is another line.
  EXPECT_EQ(dead_letter_line_sha256(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(DeadLetterReader, AMissingFileHoldsNoDeadLetters) {
  test::TempDir dir;
  DeadLetterScan scan;
  EXPECT_TRUE(read_all(dir.file("none.jsonl"), &scan).empty());
  EXPECT_FALSE(scan.exists);
}

TEST(DeadLetterReader, ReadsLinesLongerThanItsBuffer) {
  test::TempDir dir;
  std::string big(200 * 1024, 'z');
  {
    DeadLetterFileLimits limits;
    limits.max_original_bytes = 1024 * 1024;
    DeadLetterFile file(dir.file("dead.jsonl"), limits);
    file.write(letter("decode", big));
    file.write(letter("decode", "small"));
  }
  auto entries = read_all(dir.file("dead.jsonl"));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].letter.original, big);
  EXPECT_EQ(entries[1].letter.original, "small");
}

std::string sha256_of(const std::string& bytes) {
  Sha256 hash;
  hash.update(bytes);
  return hash.hex_digest();
}

TEST(DeadLetterFile, KeepsTheStartOfAnOversizeOriginalWithItsLengthAndHash) {
  test::TempDir dir;
  std::string nuls(300 * 1024, '\0');
  std::string accented = std::string(1023, 'a') + "\xC3\xA9" + std::string(5000, 'b');
  std::string record(3000, 'r');
  {
    DeadLetterFileLimits limits;
    limits.max_record_bytes = 4096;
    limits.max_original_bytes = 1024;
    DeadLetterFile file(dir.file("dead.jsonl"), limits);
    file.write(letter("decode", nuls));
    file.write(letter("decode", accented));  // the cut falls inside "é"
    file.write(letter("sink", record));      // no longer than a record: kept whole
  }
  EXPECT_LT(std::filesystem::file_size(dir.file("dead.jsonl")), 1400u + 1024 + 3000 + 3 * 400)
      << "NUL bytes cost base64's 4/3, not JSON's six bytes each";
  auto entries = read_all(dir.file("dead.jsonl"));
  ASSERT_EQ(entries.size(), 3u);
  const DeadLetter& first = entries[0].letter;
  EXPECT_EQ(first.original, std::string(1024, '\0'));
  ASSERT_TRUE(first.truncated.has_value());
  EXPECT_EQ(first.truncated->bytes, nuls.size());
  EXPECT_EQ(first.truncated->sha256, sha256_of(nuls));
  const DeadLetter& second = entries[1].letter;
  EXPECT_EQ(second.original, std::string(1023, 'a')) << "cut before the character, kept as text";
  ASSERT_TRUE(second.truncated.has_value());
  EXPECT_EQ(second.truncated->bytes, accented.size());
  EXPECT_EQ(second.truncated->sha256, sha256_of(accented));
  EXPECT_FALSE(entries[2].letter.truncated.has_value());
  EXPECT_EQ(entries[2].letter.original, record);
}

TEST(DeadLetterFile, RefusesADeadLetterThatWouldPassTheFileLimit) {
  test::TempDir dir;
  DeadLetterFileLimits limits;
  limits.max_file_bytes = 600;
  DeadLetterFile file(dir.file("dead.jsonl"), limits);
  file.write(letter("decode", std::string(200, 'x')));
  auto held = std::filesystem::file_size(dir.file("dead.jsonl"));
  try {
    file.write(letter("decode", std::string(200, 'y')));
    FAIL() << "the second dead letter does not fit";
  } catch (const DeadLetterFileFull& error) {
    EXPECT_NE(std::string(error.what()).find("max_file_bytes = 600"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("/in/findings.jsonl line 3"), std::string::npos)
        << error.what();
  }
  EXPECT_EQ(std::filesystem::file_size(dir.file("dead.jsonl")), held) << "nothing half written";
  EXPECT_EQ(read_all(dir.file("dead.jsonl")).size(), 1u);
}

TEST(DeadLetterFile, WritesNoCredentialAnEndpointEchoedIntoAReason) {
  test::TempDir dir;
  DeadLetter echoed = letter("sink", "{}");
  echoed.reason =
      "HTTP 400: {\"error\":\"bad\",\"echo\":\"Authorization: Bearer "
      "eyJhbGciOiJSUzI1NiJ9.eyJhcHBpZCI6IngifQ.c2lnbmF0dXJl\"}";
  {
    DeadLetterFile file(dir.file("dead.jsonl"));
    file.write(echoed);
  }
  std::string written = test::read_file(dir.file("dead.jsonl"));
  EXPECT_EQ(written.find("eyJhbGciOiJSUzI1NiJ9"), std::string::npos) << written;
  EXPECT_NE(written.find("(redacted)"), std::string::npos) << written;
  EXPECT_NE(written.find("HTTP 400"), std::string::npos) << "the rest of the reason stays";
}

}  // namespace
}  // namespace gd2s
