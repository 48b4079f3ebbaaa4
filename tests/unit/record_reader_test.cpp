#include "decode/record_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "core/sha256.h"

namespace gd2s {
namespace {

struct Read {
  std::vector<std::pair<uint64_t, std::string>> records;
  std::vector<std::pair<uint64_t, std::string>> problems;
  std::vector<ReadProblem> details;
};

Read read_stream(ByteStream& in, ReaderLimits limits = {}) {
  RecordReader reader(in, limits);
  Read out;
  while (auto item = reader.next()) {
    if (auto* r = std::get_if<RawRecord>(&*item)) {
      out.records.emplace_back(r->line, r->text);
    } else {
      auto& problem = std::get<ReadProblem>(*item);
      out.problems.emplace_back(problem.line, problem.reason);
      out.details.push_back(problem);
    }
  }
  return out;
}

Read read_all(const std::string& text, ReaderLimits limits = {}) {
  MemoryByteStream in(text);
  return read_stream(in, limits);
}

std::string sha256_of(const std::string& bytes) {
  Sha256 hash;
  hash.update(bytes);
  return hash.hex_digest();
}

// A JSON array of `count` findings made as it is read, never held whole; counts what it gave.
class GeneratedArray final : public ByteStream {
 public:
  GeneratedArray(size_t count, bool pretty, size_t pad)
      : count_(count), pretty_(pretty), pad_(pad) {}

  size_t read(std::span<char> buffer) override {
    size_t given = 0;
    while (given < buffer.size()) {
      if (at_ == pending_.size() && !next_piece()) break;
      size_t n = std::min(buffer.size() - given, pending_.size() - at_);
      std::memcpy(buffer.data() + given, pending_.data() + at_, n);
      at_ += n;
      given += n;
    }
    bytes_read += given;
    return given;
  }

  static std::string element(size_t n, bool pretty, size_t pad) {
    std::string id = "e" + std::to_string(n);
    return pretty ? "{\n    \"id\": \"" + id + "\",\n    \"pad\": \"" + std::string(pad, 'x') +
                        "\"\n  }"
                  : "{\"id\":\"" + id + "\",\"pad\":\"" + std::string(pad, 'x') + "\"}";
  }

  uint64_t bytes_read = 0;

 private:
  bool next_piece() {
    if (made_ > count_) return false;
    at_ = 0;
    if (made_ == 0) {
      pending_ = pretty_ ? "[\n  " : "[";
    } else {
      pending_ = element(made_, pretty_, pad_);
      pending_ += made_ == count_ ? (pretty_ ? "\n]\n" : "]") : (pretty_ ? ",\n  " : ",");
    }
    ++made_;
    return true;
  }

  size_t count_;
  bool pretty_;
  size_t pad_;
  size_t made_ = 0;
  std::string pending_;
  size_t at_ = 0;
};

TEST(RecordReader, SplitsJsonLinesAndSkipsBlankLines) {
  Read r = read_all("{\"id\":\"a\"}\r\n\n   \n{\"id\":\"b\"}\n{\"id\":\"c\"}");
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0], (std::pair<uint64_t, std::string>{1, "{\"id\":\"a\"}"}));
  EXPECT_EQ(r.records[1].first, 4u);
  EXPECT_EQ(r.records[2], (std::pair<uint64_t, std::string>{5, "{\"id\":\"c\"}"}));
  EXPECT_TRUE(r.problems.empty());
}

TEST(RecordReader, KeepsBadLinesAsRecordsForTheDecoderToJudge) {
  Read r = read_all("{\"id\":\"a\"}\nnot json\n{\"id\":\"b\"}\n");
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[1], (std::pair<uint64_t, std::string>{2, "not json"}));
}

TEST(RecordReader, ExpandsAJsonArray) {
  Read r = read_all("[\n  {\"id\": \"a\"},\n  {\"id\": \"b\"}\n]\n");
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0], (std::pair<uint64_t, std::string>{1, "{\"id\":\"a\"}"}));
  EXPECT_EQ(r.records[1], (std::pair<uint64_t, std::string>{2, "{\"id\":\"b\"}"}));
}

TEST(RecordReader, ExpandsGetFindingsWrappersInBothSpellings) {
  for (const char* key : {"findings", "Findings"}) {
    std::string doc =
        std::string("{\n  \"") + key + "\": [\n {\"id\": \"a\"}, {\"id\": \"b\"}\n ]\n}\n";
    Read r = read_all(doc);
    ASSERT_EQ(r.records.size(), 2u) << key;
    EXPECT_EQ(r.records[1].second, "{\"id\":\"b\"}");
    Read one_line = read_all(std::string("{\"") + key + "\":[{\"id\":\"a\"}]}\n");
    ASSERT_EQ(one_line.records.size(), 1u) << key;
  }
}

TEST(RecordReader, ReadsOnePrettyPrintedFinding) {
  Read r = read_all(
      "{\n  \"id\": \"a\",\n  \"resource\": {\n    \"resourceType\": \"Instance\"\n  }\n}\n");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_NE(r.records[0].second.find("resourceType"), std::string::npos);
}

TEST(RecordReader, JsonLinesWithABrokenFirstLineStillYieldEveryLine) {
  Read r = read_all("{\"id\": \"a\", \"broken\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n");
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0].first, 1u);
  EXPECT_EQ(r.records[2], (std::pair<uint64_t, std::string>{3, "{\"id\":\"c\"}"}));
}

TEST(RecordReader, OversizeLinesBecomeProblemsAndReadingGoesOn) {
  ReaderLimits limits;
  limits.max_record_bytes = 100;
  std::string big = "{\"id\":\"" + std::string(500, 'x') + "\"}";
  Read r = read_all("{\"id\":\"a\"}\n" + big + "\n{\"id\":\"b\"}\n", limits);
  ASSERT_EQ(r.records.size(), 2u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].first, 2u);
  EXPECT_EQ(r.problems[0].second,
            "line is longer than the 100-byte limit for one record (the Logs Ingestion API takes "
            "at most 1 MiB per request)");
}

TEST(RecordReader, SkipsAUtf8ByteOrderMark) {
  Read r = read_all("\xEF\xBB\xBF{\"id\":\"a\"}\n");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].second, "{\"id\":\"a\"}");
}

TEST(RecordReader, EmptyInputHasNoRecords) {
  EXPECT_TRUE(read_all("").records.empty());
  EXPECT_TRUE(read_all("\n\n").records.empty());
}

TEST(RecordReader, StreamsArraysOfAnySizeElementByElement) {
  // About 70 MB each, past the 64 MiB that whole documents were once limited to.
  constexpr size_t kCount = 18000;
  for (bool pretty : {false, true}) {
    GeneratedArray in(kCount, pretty, 3900);
    RecordReader reader(in);
    auto first = reader.next();
    ASSERT_TRUE(first.has_value());
    ASSERT_TRUE(std::holds_alternative<RawRecord>(*first)) << pretty;
    EXPECT_EQ(std::get<RawRecord>(*first).line, 1u);
    EXPECT_EQ(std::get<RawRecord>(*first).text, GeneratedArray::element(1, false, 3900))
        << "minified";
    EXPECT_LT(in.bytes_read, 256u * 1024) << "the first element comes before the rest is read";
    size_t records = 1;
    size_t problems = 0;
    uint64_t last = 1;
    while (auto item = reader.next()) {
      if (auto* record = std::get_if<RawRecord>(&*item)) {
        ++records;
        EXPECT_EQ(record->line, last + 1);
        last = record->line;
      } else {
        ++problems;
      }
    }
    EXPECT_EQ(records, kCount) << (pretty ? "pretty-printed" : "compact");
    EXPECT_EQ(problems, 0u);
    EXPECT_GT(in.bytes_read, 64u * 1024 * 1024);
  }
}

TEST(RecordReader, AnElementOverTheRecordLimitIsOneProblemAndItsNeighboursArrive) {
  ReaderLimits limits;
  limits.max_record_bytes = 1000;
  limits.max_kept_bytes = 100;
  for (bool pretty : {false, true}) {
    std::string big = GeneratedArray::element(2, pretty, 5000);
    std::string sep = pretty ? ",\n  " : ",";
    std::string doc = std::string(pretty ? "[\n  " : "[") + GeneratedArray::element(1, pretty, 10) +
                      sep + big + sep + GeneratedArray::element(3, pretty, 10) +
                      (pretty ? "\n]\n" : "]");
    Read r = read_all(doc, limits);
    ASSERT_EQ(r.records.size(), 2u) << pretty;
    EXPECT_EQ(r.records[0].first, 1u);
    EXPECT_EQ(r.records[1],
              (std::pair<uint64_t, std::string>{3, GeneratedArray::element(3, false, 10)}));
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0],
              (std::pair<uint64_t, std::string>{
                  2,
                  "element 2 is longer than the 1000-byte limit for one record (the Logs "
                  "Ingestion API takes at most 1 MiB per request)"}));
    const ReadProblem& problem = r.details[0];
    EXPECT_EQ(problem.original, big.substr(0, 100)) << "only the start is kept";
    ASSERT_TRUE(problem.truncated.has_value());
    EXPECT_EQ(problem.truncated->bytes, big.size());
    EXPECT_EQ(problem.truncated->sha256, sha256_of(big));
  }
}

TEST(RecordReader, AnOversizeLineKeepsItsStartItsLengthAndItsHash) {
  ReaderLimits limits;
  limits.max_record_bytes = 100;
  limits.max_kept_bytes = 64;
  std::string big(3 * 64 * 1024 + 7, '\0');  // longer than a read chunk
  Read r = read_all("{\"id\":\"a\"}\n" + big + "\n{\"id\":\"b\"}\n", limits);
  ASSERT_EQ(r.records.size(), 2u);
  ASSERT_EQ(r.details.size(), 1u);
  EXPECT_EQ(r.details[0].line, 2u);
  EXPECT_EQ(r.details[0].original, std::string(64, '\0'));
  ASSERT_TRUE(r.details[0].truncated.has_value());
  EXPECT_EQ(r.details[0].truncated->bytes, big.size());
  EXPECT_EQ(r.details[0].truncated->sha256, sha256_of(big));
}

TEST(RecordReader, APrettyPrintedFindingOverTheLimitIsOneProblemNotLines) {
  ReaderLimits limits;
  limits.max_record_bytes = 1000;
  Read r =
      read_all("{\n  \"id\": \"a\",\n  \"pad\": \"" + std::string(2000, 'x') + "\"\n}\n", limits);
  EXPECT_TRUE(r.records.empty());
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].first, 1u);
  EXPECT_EQ(r.problems[0].second.rfind("the document starting on line 1 is longer than the "
                                       "1000-byte limit for one record",
                                       0),
            0u)
      << r.problems[0].second;
}

TEST(RecordReader, ABrokenElementIsJudgedAloneAndTheArrayReadsOn) {
  Read r = read_all("[{\"id\":\"a\"},\n {\"id\": \"b\" \"oops\": [1, 2]},\n {\"id\":\"c\"}]\n");
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0], (std::pair<uint64_t, std::string>{1, "{\"id\":\"a\"}"}));
  EXPECT_EQ(r.records[1].first, 2u);
  EXPECT_NE(r.records[1].second.find("oops"), std::string::npos) << "the decoder judges it";
  EXPECT_EQ(r.records[2], (std::pair<uint64_t, std::string>{3, "{\"id\":\"c\"}"}));
  EXPECT_TRUE(r.problems.empty());
}

TEST(RecordReader, ACutShortArrayKeepsEveryWholeElement) {
  Read cut_in_element = read_all("[\n{\"id\":\"a\"},\n{\"id\":\"b\"},\n{\"id\":\"c");
  ASSERT_EQ(cut_in_element.records.size(), 3u);
  EXPECT_EQ(cut_in_element.records[1], (std::pair<uint64_t, std::string>{2, "{\"id\":\"b\"}"}));
  EXPECT_EQ(cut_in_element.records[2], (std::pair<uint64_t, std::string>{3, "{\"id\":\"c"}));

  Read cut_between = read_all("[\n{\"id\":\"a\"},\n");
  ASSERT_EQ(cut_between.records.size(), 1u);
  ASSERT_EQ(cut_between.problems.size(), 1u);
  EXPECT_EQ(cut_between.problems[0],
            (std::pair<uint64_t, std::string>{
                2, "the input ends inside its JSON document, after element 1: it is cut short"}));
}

TEST(RecordReader, JsonLinesMayFollowADocument) {
  Read r = read_all("{\"findings\":[{\"id\":\"a\"}]}\n{\"id\":\"b\"}\n{\"id\":\"c\"}\n");
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0], (std::pair<uint64_t, std::string>{1, "{\"id\":\"a\"}"}));
  EXPECT_EQ(r.records[2], (std::pair<uint64_t, std::string>{3, "{\"id\":\"c\"}"}));
  EXPECT_TRUE(r.problems.empty());
}

TEST(RecordReader, ARawNewlineInAStringMeansJsonLinesFromThatElement) {
  Read r = read_all("[{\"id\":\"a\"},\n{\"id\":\"b\n{\"id\":\"c\"}\n");
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[0], (std::pair<uint64_t, std::string>{1, "{\"id\":\"a\"}"}));
  EXPECT_EQ(r.records[1], (std::pair<uint64_t, std::string>{2, "{\"id\":\"b"}));
  EXPECT_EQ(r.records[2], (std::pair<uint64_t, std::string>{3, "{\"id\":\"c\"}"}));
}

}  // namespace
}  // namespace gd2s
