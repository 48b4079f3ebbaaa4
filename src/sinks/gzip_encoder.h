#pragma once
// gzip for request bodies (Content-Encoding: gzip), through libdeflate: a request body is one
// whole buffer (at most 1 MiB), which libdeflate compresses with 2.4 times less CPU than zlib
// at the same level and size (bench/README.md, "Request gzip"). One encoder per thread: it
// keeps its compressor between bodies instead of allocating it for each.

#include <memory>
#include <string>
#include <string_view>

struct libdeflate_compressor;
struct libdeflate_decompressor;

namespace gd2s {

class GzipEncoder {
 public:
  /// Levels 1 (fastest) to 12 (smallest); the sink's option allows 1–9.
  explicit GzipEncoder(int level = 6);
  ~GzipEncoder();
  GzipEncoder(const GzipEncoder&) = delete;
  GzipEncoder& operator=(const GzipEncoder&) = delete;

  /// One gzip member holding `data`, written to `out` (replacing what it held) at its exact size.
  void compress(std::string_view data, std::string& out);

 private:
  libdeflate_compressor* compressor_ = nullptr;
  // libdeflate writes into room for the worst case (a little over the input); kept between
  // bodies, so that room is allocated and paged in once, not for every request. Left
  // uninitialised: only the pages gzip output reaches (a fifth of them) are ever touched.
  std::unique_ptr<char[]> room_;
  size_t room_size_ = 0;
};

/// The other way, for a body sent already: the sink keeps a request only as it went out, and
/// reads it back when the service refuses it as a whole (to split it, or dead-letter a row).
class GzipDecoder {
 public:
  GzipDecoder();
  ~GzipDecoder();
  GzipDecoder(const GzipDecoder&) = delete;
  GzipDecoder& operator=(const GzipDecoder&) = delete;

  /// The `size` bytes `gzip` (one member) holds, written to `out`; throws when it holds other.
  void decompress(std::string_view gzip, size_t size, std::string& out);

 private:
  libdeflate_decompressor* decompressor_ = nullptr;
};

}  // namespace gd2s
