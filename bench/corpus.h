#pragma once
// The sample corpus the micro-benchmarks run over: every GuardDuty export object under
// examples/AWSLogs (gzip JSON Lines, as GuardDuty writes them), held in memory.

#include <cstddef>
#include <string>
#include <vector>

namespace gd2s::bench {

struct ExportObject {
  std::string key;
  std::string gzip;  // the object's bytes, as S3 serves them
};

struct Corpus {
  std::vector<ExportObject> objects;
  std::vector<std::string> findings;  // every line of every object, decompressed
  size_t gzip_bytes = 0;
  size_t json_bytes = 0;  // the findings' bytes, newlines excluded
};

/// Loaded once, on first use, from GD2S_BENCH_CORPUS (default: the source tree's examples/AWSLogs).
const Corpus& corpus();

/// The corpus's findings rendered as native rows, repeated until they fill `bytes` of JSON.
std::vector<std::string> native_rows(size_t bytes);

}  // namespace gd2s::bench
