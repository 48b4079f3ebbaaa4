#pragma once
// gzip for request bodies (Content-Encoding: gzip), through libdeflate: a request body is one
// whole buffer (at most 1 MiB), which libdeflate compresses with 2.4 times less CPU than zlib
// at the same level and size (bench/README.md, "Request gzip"). One encoder per thread: it
// keeps its compressor between bodies instead of allocating it for each.

#include <string>
#include <string_view>

struct libdeflate_compressor;

namespace gd2s {

class GzipEncoder {
 public:
  /// Levels 1 (fastest) to 12 (smallest); the sink's option allows 1–9.
  explicit GzipEncoder(int level = 6);
  ~GzipEncoder();
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  /// One gzip member holding `data`, written to `out` (replacing what it held).
  void compress(std::string_view data, std::string& out);

 private:
  libdeflate_compressor* compressor_ = nullptr;
};

}  // namespace gd2s
