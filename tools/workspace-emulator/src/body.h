// Request bodies: collecting them under a size limit, and gzip.
#pragma once

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wsemu {

/// Collects a body arriving in pieces. Keeps at most `keep_limit` bytes but
/// counts them all, so a refusal can state the size that was provided.
class BodyCollector {
 public:
  explicit BodyCollector(std::size_t keep_limit) : keep_limit_(keep_limit) {}

  /// Reserves room for an expected size (at most the limit), sparing regrowth.
  void expect(std::size_t size) { data_.reserve(std::min(size, keep_limit_) + 1); }

  void append(const char* data, std::size_t size);
  std::size_t total_size() const { return total_; }
  bool over_limit() const { return total_ > keep_limit_; }
  std::string& data() { return data_; }

 private:
  std::size_t keep_limit_;
  std::size_t total_ = 0;
  std::string data_;
};

struct Inflated {
  bool ok = false;
  std::string data;          // at most keep_limit bytes
  std::size_t total_size = 0;  // decompressed size (up to the hard cap)
  bool hit_hard_cap = false;
  std::string error;
};

/// Decompresses a gzip member stream, keeping at most `keep_limit` bytes and
/// stopping after `hard_cap` decompressed bytes (protection from gzip bombs).
Inflated gunzip(std::string_view compressed, std::size_t keep_limit, std::size_t hard_cap);

/// gzip-compresses (level 6). Used by the benchmark and the tests.
std::string gzip_compress(std::string_view data);

/// True when the bytes start with the gzip magic number 1f 8b.
bool looks_gzipped(std::string_view data);

/// True for a Content-Encoding value that means gzip ("gzip", any case, "x-gzip").
bool is_gzip_encoding(std::string_view content_encoding);

}  // namespace wsemu
