// Every finding we know of — the third-party samples in ../shared/testdata and the project's own
// examples — decodes and maps to both schemas; the project's examples match golden rows.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "decode/finding_decoder.h"
#include "decode/gunzip.h"
#include "decode/record_reader.h"
#include "support/test_support.h"
#include "transform/schema.h"

namespace gd2s {
namespace {

namespace fs = std::filesystem;

std::set<std::string> column_names(const Schema& schema) {
  std::set<std::string> names;
  for (const Column& c : schema.columns()) names.insert(std::string(c.name));
  return names;
}

// Decodes `text`, maps it with both schemas and checks each row against its columns.
void expect_maps_to_both_schemas(const std::string& text, const std::string& where) {
  FindingDecoder decoder;
  auto result = decoder.decode(text);
  ASSERT_TRUE(std::holds_alternative<Finding>(result))
      << where << ": " << std::get<DecodeFailure>(result).reason;
  const Finding& f = std::get<Finding>(result);
  simdjson::dom::parser parser;
  for (std::string_view name : schema_names()) {
    auto schema = make_schema(name);
    std::string row;
    schema->write_row(f, enrich(f), row);
    auto parsed = parser.parse(row);
    ASSERT_FALSE(parsed.error()) << where << " " << name << ": row is not JSON";
    auto columns = column_names(*schema);
    simdjson::dom::object fields = parsed.get_object().value();
    for (auto field : fields)
      EXPECT_TRUE(columns.contains(std::string(field.key)))
          << where << " " << name << ": " << field.key << " is not a column";
  }
}

std::vector<fs::path> example_sources() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(test::source_dir() + "/examples/src"))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

size_t example_sources_count() {
  return example_sources().size();
}

TEST(Corpus, EveryThirdPartySampleDecodesAndMapsToBothSchemas) {
  GD2S_REQUIRE_SHARED_TESTDATA("the third-party GuardDuty samples");
  size_t count = 0;
  for (const auto& entry : fs::directory_iterator(test::shared_testdata() + "/guardduty")) {
    if (entry.path().extension() != ".jsonl") continue;
    size_t line = 0;
    for (const std::string& text : test::read_lines(entry.path().string())) {
      ++line;
      if (text.empty()) continue;
      expect_maps_to_both_schemas(text,
                                  entry.path().filename().string() + ":" + std::to_string(line));
      ++count;
    }
  }
  EXPECT_EQ(count, 114u);  // 109 + 3 + 2, as listed in testdata/README.txt
}

TEST(Corpus, TheExamplesAreLaidOutAsGuardDutyWritesThemAndAllDecode) {
  std::regex layout(
      R"(AWSLogs/(\d{12})/GuardDuty/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/[0-9a-f-]{36}\.jsonl\.gz)");
  size_t objects = 0, findings = 0;
  for (const auto& entry :
       fs::recursive_directory_iterator(test::source_dir() + "/examples/AWSLogs")) {
    if (!entry.is_regular_file()) continue;
    std::string relative = fs::relative(entry.path(), test::source_dir() + "/examples").string();
    std::smatch m;
    ASSERT_TRUE(std::regex_match(relative, m, layout)) << relative;
    ++objects;
    FileByteStream bytes(entry.path().string());
    MaybeGunzipStream content(bytes);
    RecordReader reader(content);
    while (auto item = reader.next()) {
      auto* record = std::get_if<RawRecord>(&*item);
      ASSERT_NE(record, nullptr) << relative;
      expect_maps_to_both_schemas(record->text, relative + ":" + std::to_string(record->line));
      FindingDecoder decoder;
      auto decoded = decoder.decode(record->text);
      const Finding& f = std::get<Finding>(decoded);
      EXPECT_EQ(f.account_id, m[1].str()) << relative;
      EXPECT_EQ(f.region, m[2].str()) << relative;
      ++findings;
    }
    EXPECT_TRUE(content.compressed()) << relative;
  }
  EXPECT_GE(objects, 10u);
  EXPECT_EQ(findings, example_sources_count());
}

TEST(Corpus, TheExamplesCoverEveryResourceTypeActionTypeAndBand) {
  std::set<std::string> resource_types, action_types, bands;
  int samples = 0, archived = 0;
  for (const fs::path& file : example_sources()) {
    MemoryByteStream bytes(test::read_file(file.string()));
    RecordReader reader(bytes);
    auto item = reader.next();
    ASSERT_TRUE(item && std::holds_alternative<RawRecord>(*item)) << file;
    FindingDecoder decoder;
    auto result = decoder.decode(std::get<RawRecord>(*item).text);
    ASSERT_TRUE(std::holds_alternative<Finding>(result)) << file;
    const Finding& f = std::get<Finding>(result);
    resource_types.insert(std::string(f.resource_type));
    action_types.insert(f.action_type.empty() ? "(runtime or none)" : std::string(f.action_type));
    bands.insert(std::string(severity_label(severity_band(f.severity))));
    samples += f.sample;
    archived += f.archived;
  }
  for (const char* type : {"Instance", "AccessKey", "S3Bucket", "EKSCluster", "ECSCluster",
                           "Container", "Lambda", "RDSDBInstance", "AttackSequence"})
    EXPECT_TRUE(resource_types.contains(type)) << type;
  for (const char* type : {"NETWORK_CONNECTION", "PORT_PROBE", "DNS_REQUEST", "AWS_API_CALL",
                           "KUBERNETES_API_CALL", "RDS_LOGIN_ATTEMPT", "(runtime or none)"})
    EXPECT_TRUE(action_types.contains(type)) << type;
  EXPECT_EQ(bands, (std::set<std::string>{"Low", "Medium", "High", "Critical"}));
  EXPECT_EQ(samples, 1);
  EXPECT_EQ(archived, 1);
}

// Golden rows: one per examples/src file, in file-name order. Regenerate after an intended
// change with GD2S_UPDATE_GOLDEN=1 and review the diff.
TEST(Corpus, TheExamplesMapToTheGoldenRows) {
  for (std::string_view name : schema_names()) {
    auto schema = make_schema(name);
    std::vector<std::string> rows;
    for (const fs::path& file : example_sources()) {
      MemoryByteStream bytes(test::read_file(file.string()));
      RecordReader reader(bytes);
      FindingDecoder decoder;
      auto result = decoder.decode(std::get<RawRecord>(*reader.next()).text);
      const Finding& f = std::get<Finding>(result);
      std::string row;
      schema->write_row(f, enrich(f), row);
      rows.push_back(row);
    }
    std::string golden = test::source_dir() + "/tests/golden/" + std::string(name) + ".jsonl";
    if (std::getenv("GD2S_UPDATE_GOLDEN") != nullptr) {
      std::ofstream out(golden, std::ios::trunc);
      for (const std::string& row : rows) out << row << '\n';
    }
    std::vector<std::string> expected = test::read_lines(golden);
    ASSERT_EQ(rows.size(), expected.size()) << name;
    for (size_t i = 0; i < rows.size(); ++i)
      EXPECT_EQ(rows[i], expected[i])
          << name << " row " << i + 1 << " (" << example_sources()[i].filename() << ")";
  }
}

}  // namespace
}  // namespace gd2s
