#include "decode/record_reader.h"

#include <gtest/gtest.h>

namespace gd2s {
namespace {

struct Read {
  std::vector<std::pair<uint64_t, std::string>> records;
  std::vector<std::pair<uint64_t, std::string>> problems;
};

Read read_all(const std::string& text, ReaderLimits limits = {}) {
  MemoryByteStream in(text);
  RecordReader reader(in, limits);
  Read out;
  while (auto item = reader.next()) {
    if (auto* r = std::get_if<RawRecord>(&*item))
      out.records.emplace_back(r->line, r->text);
    else
      out.problems.emplace_back(std::get<ReadProblem>(*item).line,
                                std::get<ReadProblem>(*item).reason);
  }
  return out;
}

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

}  // namespace
}  // namespace gd2s
