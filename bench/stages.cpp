// One benchmark per stage of the data path, over the sample corpus (examples/AWSLogs), and the
// floor: the same library calls with no pipeline around them. Items are findings (rows for the
// batch stages, requests for SigV4). bench/README.md has the figures and how to read them.

#include <benchmark/benchmark.h>
#include <libdeflate.h>
#include <simdjson.h>
#include <zlib.h>

#include <chrono>
#include <cstring>
#include <string>
#include <variant>
#include <vector>

#include "aws/sigv4.h"
#include "corpus.h"
#include "decode/finding_decoder.h"
#include "decode/gunzip.h"
#include "decode/record_reader.h"
#include "sinks/batch_plan.h"
#include "sinks/gzip_encoder.h"
#include "transform/enrich.h"
#include "transform/legacy_schema.h"
#include "transform/native_schema.h"

namespace gd2s::bench {
namespace {

constexpr size_t kMaxBatchBytes = 1024 * 1024;  // the Logs Ingestion API's limit per request
// The floor's gzip level: Fluent Bit's (gzip_level's default is 1).
constexpr int kFloorGzipLevel = 6;

void count_findings(benchmark::State& state, size_t per_iteration, size_t bytes_per_iteration) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * per_iteration));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes_per_iteration));
}

// Stage 1: an export object's bytes → decompressed → split into records (the source side).
void BM_GunzipAndSplit(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    for (const ExportObject& object : c.objects) {
      MemoryByteStream bytes(object.gzip);
      MaybeGunzipStream content(bytes);
      RecordReader reader(content);
      while (auto item = reader.next()) benchmark::DoNotOptimize(item);
    }
  }
  count_findings(state, c.findings.size(), c.json_bytes);
}
BENCHMARK(BM_GunzipAndSplit);

// Stage 2: a record's text → a Finding (simdjson parse, duplicate-key check, typed fields).
void BM_Parse(benchmark::State& state) {
  const Corpus& c = corpus();
  FindingDecoder decoder;
  for (auto _ : state)
    for (const std::string& text : c.findings) {
      auto decoded = decoder.decode(text);
      benchmark::DoNotOptimize(decoded);
    }
  count_findings(state, c.findings.size(), c.json_bytes);
}
BENCHMARK(BM_Parse);

// Decoded findings held for the mapping benchmarks (a Finding views its decoder's memory).
struct DecodedCorpus {
  std::vector<std::unique_ptr<FindingDecoder>> decoders;
  std::vector<Finding> findings;
  DecodedCorpus() {
    for (const std::string& text : corpus().findings) {
      decoders.push_back(std::make_unique<FindingDecoder>());
      findings.push_back(std::get<Finding>(decoders.back()->decode(text)));
    }
  }
};

void map_rows(benchmark::State& state, const Schema& schema) {
  DecodedCorpus decoded;
  std::string row;
  size_t bytes = 0;
  for (auto _ : state)
    for (const Finding& finding : decoded.findings) {
      row.clear();
      schema.write_row(finding, enrich(finding), row);
      bytes += row.size();
      benchmark::DoNotOptimize(row.data());
    }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * decoded.findings.size()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

// Stage 3: a Finding → enrichment → one row of the native AWSGuardDuty table.
void BM_MapNative(benchmark::State& state) {
  map_rows(state, NativeSchema());
}
BENCHMARK(BM_MapNative);

// Stage 3': the same into the flattened legacy AWSGuardDuty_CL columns.
void BM_MapLegacy(benchmark::State& state) {
  map_rows(state, LegacySchema());
}
BENCHMARK(BM_MapLegacy);

// Stage 4: rows → cut into requests under 1 MiB → each request's JSON array.
void BM_BatchSerialise(benchmark::State& state) {
  const std::vector<std::string> rows = native_rows(4 * kMaxBatchBytes);
  std::vector<size_t> sizes;
  std::string body;
  for (auto _ : state) {
    sizes.clear();
    for (const std::string& row : rows) sizes.push_back(row.size());
    for (const PlannedBatch& batch : plan_batches(sizes, kMaxBatchBytes)) {
      body.clear();
      body += '[';
      for (size_t i = batch.begin; i < batch.end; ++i) {
        if (i > batch.begin) body += ',';
        body += rows[i];
      }
      body += ']';
      benchmark::DoNotOptimize(body.data());
    }
  }
  size_t bytes = 0;
  for (const std::string& row : rows) bytes += row.size();
  count_findings(state, rows.size(), bytes);
}
BENCHMARK(BM_BatchSerialise);

// Stage 5: one full request body (a 1 MiB JSON array of native rows) → gzip, through the
// sink's own encoder. Items are rows; "ratio" is gzip bytes / JSON bytes.
struct RequestBody {
  std::string json;
  size_t rows = 0;
  RequestBody() {
    std::vector<std::string> all = native_rows(2 * kMaxBatchBytes);
    json.assign(1, '[');
    for (const std::string& row : all) {
      if (json.size() + row.size() + 2 > kMaxBatchBytes) break;
      if (rows++ > 0) json += ',';
      json += row;
    }
    json += ']';
  }
};

const RequestBody& request_body() {
  static const RequestBody body;
  return body;
}

void report_gzip(benchmark::State& state, size_t compressed) {
  const RequestBody& body = request_body();
  count_findings(state, body.rows, body.json.size());
  state.counters["ratio"] = static_cast<double>(compressed) / static_cast<double>(body.json.size());
  state.counters["rows"] = static_cast<double>(body.rows);
}

void BM_BatchGzip(benchmark::State& state) {
  const RequestBody& body = request_body();
  GzipEncoder encoder(static_cast<int>(state.range(0)));
  std::string out;
  for (auto _ : state) {
    encoder.compress(body.json, out);
    benchmark::DoNotOptimize(out.data());
  }
  report_gzip(state, out.size());
}
BENCHMARK(BM_BatchGzip)->Arg(1)->Arg(6)->Arg(9);

// The candidates for the sink's encoder, called directly: zlib (deflate, gzip wrapper) …
void BM_GzipZlib(benchmark::State& state) {
  const RequestBody& body = request_body();
  z_stream z{};
  deflateInit2(&z, static_cast<int>(state.range(0)), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, body.json.size()), '\0');
  size_t produced = 0;
  for (auto _ : state) {
    deflateReset(&z);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.json.data()));
    z.avail_in = static_cast<uInt>(body.json.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    produced = z.total_out;
    benchmark::DoNotOptimize(out.data());
  }
  deflateEnd(&z);
  report_gzip(state, produced);
}
BENCHMARK(BM_GzipZlib)->Arg(1)->Arg(3)->Arg(6)->Arg(9);

// … and libdeflate (whole-buffer gzip).
void BM_GzipLibdeflate(benchmark::State& state) {
  const RequestBody& body = request_body();
  libdeflate_compressor* compressor = libdeflate_alloc_compressor(static_cast<int>(state.range(0)));
  std::string out(libdeflate_gzip_compress_bound(compressor, body.json.size()), '\0');
  size_t produced = 0;
  for (auto _ : state) {
    produced = libdeflate_gzip_compress(compressor, body.json.data(), body.json.size(), out.data(),
                                        out.size());
    benchmark::DoNotOptimize(out.data());
  }
  libdeflate_free_compressor(compressor);
  report_gzip(state, produced);
}
BENCHMARK(BM_GzipLibdeflate)->Arg(1)->Arg(3)->Arg(6)->Arg(9);

// The other direction, for the source side: zlib's streaming inflate (what MaybeGunzipStream
// uses) against libdeflate's whole-buffer decompression, over the export objects.
void BM_GunzipZlibOnly(benchmark::State& state) {
  const Corpus& c = corpus();
  z_stream z{};
  inflateInit2(&z, 16 + MAX_WBITS);
  std::vector<char> out(64 * 1024);
  for (auto _ : state)
    for (const ExportObject& object : c.objects) {
      inflateReset(&z);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(object.gzip.data()));
      z.avail_in = static_cast<uInt>(object.gzip.size());
      int rc = Z_OK;
      while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(out.data());
        z.avail_out = static_cast<uInt>(out.size());
        rc = inflate(&z, Z_NO_FLUSH);
        benchmark::DoNotOptimize(out.data());
      }
    }
  inflateEnd(&z);
  count_findings(state, c.findings.size(), c.json_bytes);
}
BENCHMARK(BM_GunzipZlibOnly);

void BM_GunzipLibdeflateOnly(benchmark::State& state) {
  const Corpus& c = corpus();
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  std::vector<char> out(16 * 1024 * 1024);
  for (auto _ : state)
    for (const ExportObject& object : c.objects) {
      size_t produced = 0;
      libdeflate_gzip_decompress(d, object.gzip.data(), object.gzip.size(), out.data(), out.size(),
                                 &produced);
      benchmark::DoNotOptimize(out.data());
    }
  libdeflate_free_decompressor(d);
  count_findings(state, c.findings.size(), c.json_bytes);
}
BENCHMARK(BM_GunzipLibdeflateOnly);

// Stage 6: signing one S3 request (GetObject or ListObjectsV2; one per object read).
void BM_Sigv4SignGetObject(benchmark::State& state) {
  aws::AwsCredentials credentials{
      "AKIDEXAMPLE", Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), {}, std::nullopt, "bench"};
  const aws::SigningScope scope{"us-east-1", "s3", true};
  const auto time = std::chrono::sys_seconds(std::chrono::seconds(1767225600));
  const std::string empty_hash = sha256_hex("");
  for (auto _ : state) {
    aws::SignableRequest request{
        "GET",
        "/guardduty-bench/AWSLogs/111122223333/GuardDuty/us-east-1/2026/03/03/"
        "54e507b8-b0cf-3970-8758-00dc349816c5.jsonl.gz",
        "",
        {{"Host", "127.0.0.1:9000"}},
        empty_hash};
    aws::sign_headers(request, credentials, scope, time);
    benchmark::DoNotOptimize(request.headers.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Sigv4SignGetObject);

// Every stage in one thread, in process: export objects → rows → 1 MiB requests → gzip.
// No queues, threads, HTTP or state; what the pipeline's own work costs per finding.
void BM_AllStagesInProcess(benchmark::State& state) {
  const Corpus& c = corpus();
  NativeSchema schema;
  FindingDecoder decoder;
  GzipEncoder encoder(kFloorGzipLevel);
  std::vector<std::string> rows;
  BatchBudget budget(kMaxBatchBytes);
  std::string row, json, body;
  auto send = [&] {
    json.clear();
    json += '[';
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i > 0) json += ',';
      json += rows[i];
    }
    json += ']';
    encoder.compress(json, body);
    benchmark::DoNotOptimize(body.data());
    rows.clear();
    budget.reset();
  };
  for (auto _ : state)
    for (const ExportObject& object : c.objects) {
      MemoryByteStream bytes(object.gzip);
      MaybeGunzipStream content(bytes);
      RecordReader reader(content);
      while (auto item = reader.next()) {
        auto decoded = decoder.decode(std::get<RawRecord>(*item).text);
        const Finding& finding = std::get<Finding>(decoded);
        row.clear();
        schema.write_row(finding, enrich(finding), row);
        if (!budget.fits(row.size())) send();
        budget.add(row.size());
        rows.push_back(row);
      }
    }
  count_findings(state, c.findings.size(), c.json_bytes);
}
BENCHMARK(BM_AllStagesInProcess);

// The floor: the least a finding can cost with these libraries. Per line a simdjson parse and
// one JSON write of the parsed finding (simdjson's minify), appended to a request body that is
// gzipped (level 6, through libdeflate directly) whenever the next row would pass
// 1 MiB. No validation, mapping, copies, queues, threads or HTTP. BM_Floor reads the export
// objects (one zlib inflate of each whole object first: the S3 path); BM_FloorFile reads the
// same findings as one JSON-lines text in memory (the file path: no inflate, no read cost).
class FloorShipper {
 public:
  FloorShipper()
      : compressor_(libdeflate_alloc_compressor(kFloorGzipLevel)),
        gz_(libdeflate_gzip_compress_bound(compressor_, kMaxBatchBytes), '\0') {}
  ~FloorShipper() { libdeflate_free_compressor(compressor_); }
  FloorShipper(const FloorShipper&) = delete;
  FloorShipper& operator=(const FloorShipper&) = delete;

  void ship_lines(std::string_view all) {
    while (!all.empty()) {
      size_t end = all.find('\n');
      std::string_view line = all.substr(0, end);
      all.remove_prefix(end == std::string_view::npos ? all.size() : end + 1);
      if (line.empty()) continue;
      simdjson::dom::element root;
      if (parser_.parse(line.data(), line.size()).get(root)) continue;
      std::string row = simdjson::minify(root);
      if (batch_.size() + row.size() + 2 > kMaxBatchBytes) compress();
      if (batch_.size() > 1) batch_ += ',';
      batch_ += row;
    }
  }

 private:
  void compress() {
    batch_ += ']';
    size_t n =
        libdeflate_gzip_compress(compressor_, batch_.data(), batch_.size(), gz_.data(), gz_.size());
    benchmark::DoNotOptimize(n);
    batch_.assign(1, '[');
  }

  simdjson::dom::parser parser_;
  libdeflate_compressor* compressor_;
  std::string gz_;
  std::string batch_ = "[";
};

void BM_Floor(benchmark::State& state) {
  const Corpus& c = corpus();
  z_stream z{};
  inflateInit2(&z, 16 + MAX_WBITS);
  FloorShipper shipper;
  std::string text(16 * 1024 * 1024, '\0');
  for (auto _ : state)
    for (const ExportObject& object : c.objects) {
      inflateReset(&z);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(object.gzip.data()));
      z.avail_in = static_cast<uInt>(object.gzip.size());
      z.next_out = reinterpret_cast<Bytef*>(text.data());
      z.avail_out = static_cast<uInt>(text.size());
      inflate(&z, Z_FINISH);
      shipper.ship_lines(std::string_view(text.data(), z.total_out));
    }
  inflateEnd(&z);
  count_findings(state, c.findings.size(), c.json_bytes);
}
BENCHMARK(BM_Floor);

void BM_FloorFile(benchmark::State& state) {
  const Corpus& c = corpus();
  std::string lines;
  for (const std::string& finding : c.findings) lines += finding + "\n";
  FloorShipper shipper;
  for (auto _ : state) shipper.ship_lines(lines);
  count_findings(state, c.findings.size(), c.json_bytes);
}
BENCHMARK(BM_FloorFile);

}  // namespace
}  // namespace gd2s::bench

BENCHMARK_MAIN();
