#include "corpus.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <variant>

#include "decode/finding_decoder.h"
#include "decode/gunzip.h"
#include "decode/record_reader.h"
#include "transform/enrich.h"
#include "transform/native_schema.h"

namespace gd2s::bench {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Corpus load() {
  const char* dir = std::getenv("GD2S_BENCH_CORPUS");
  std::filesystem::path root = dir != nullptr ? dir : GD2S_SOURCE_DIR "/examples/AWSLogs";
  Corpus corpus;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
    if (entry.is_regular_file() && entry.path().string().ends_with(".jsonl.gz"))
      corpus.objects.push_back({entry.path().string(), read_file(entry.path())});
  std::sort(corpus.objects.begin(), corpus.objects.end(),
            [](const ExportObject& a, const ExportObject& b) { return a.key < b.key; });
  if (corpus.objects.empty())
    throw std::runtime_error("no .jsonl.gz export objects under " + root.string());
  for (const ExportObject& object : corpus.objects) {
    corpus.gzip_bytes += object.gzip.size();
    MemoryByteStream bytes(object.gzip);
    MaybeGunzipStream content(bytes);
    RecordReader reader(content);
    while (auto item = reader.next()) {
      auto* record = std::get_if<RawRecord>(&*item);
      if (record == nullptr) throw std::runtime_error("a sample line is not a record");
      corpus.json_bytes += record->text.size();
      corpus.findings.push_back(std::move(record->text));
    }
  }
  return corpus;
}

}  // namespace

const Corpus& corpus() {
  static const Corpus loaded = load();
  return loaded;
}

std::vector<std::string> native_rows(size_t bytes) {
  NativeSchema schema;
  FindingDecoder decoder;
  std::vector<std::string> rows;
  size_t total = 0;
  while (total < bytes) {
    for (const std::string& text : corpus().findings) {
      auto decoded = decoder.decode(text);
      const Finding& finding = std::get<Finding>(decoded);
      std::string row;
      schema.write_row(finding, enrich(finding), row);
      total += row.size() + 1;
      rows.push_back(std::move(row));
      if (total >= bytes) break;
    }
  }
  return rows;
}

}  // namespace gd2s::bench
