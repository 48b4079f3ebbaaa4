#pragma once
// gzip for request bodies (Content-Encoding: gzip). One encoder per thread: it keeps its zlib
// state between bodies instead of allocating it for each.

#include <zlib.h>

#include <string>
#include <string_view>

namespace gd2s {

class GzipEncoder {
 public:
  explicit GzipEncoder(int level = 6);
  ~GzipEncoder();
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  /// One gzip member holding `data`, written to `out` (replacing what it held).
  void compress(std::string_view data, std::string& out);

 private:
  z_stream stream_{};
};

}  // namespace gd2s
