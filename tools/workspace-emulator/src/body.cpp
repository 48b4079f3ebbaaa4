#include "body.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>

#include <zlib.h>

namespace wsemu {

void BodyCollector::append(const char* data, std::size_t size) {
  total_ += size;
  if (data_.size() < keep_limit_) {
    data_.append(data, std::min(size, keep_limit_ - data_.size()));
  }
}

Inflated gunzip(std::string_view compressed, std::size_t keep_limit, std::size_t hard_cap) {
  Inflated out;
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    out.error = "zlib initialisation failed";
    return out;
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());
  std::array<char, 64 * 1024> buffer{};
  int rc = Z_OK;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer.data());
    zs.avail_out = static_cast<uInt>(buffer.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    const std::size_t produced = buffer.size() - zs.avail_out;
    out.total_size += produced;
    if (out.data.size() < keep_limit) {
      out.data.append(buffer.data(), std::min(produced, keep_limit - out.data.size()));
    }
    if (out.total_size > hard_cap) {
      out.hit_hard_cap = true;
      inflateEnd(&zs);
      out.ok = true;
      return out;
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Concatenated gzip members are valid gzip: continue with the next one.
      if (inflateReset(&zs) != Z_OK) break;
      continue;
    }
    if (zs.avail_in == 0 && produced == 0) {
      rc = Z_BUF_ERROR;
      break;
    }
  }
  inflateEnd(&zs);
  if (rc == Z_STREAM_END) {
    out.ok = true;
  } else {
    out.error = rc == Z_BUF_ERROR ? "the gzip stream is truncated"
                                  : std::string("the body is not valid gzip: ") +
                                        (zs.msg != nullptr ? zs.msg : "inflate failed");
  }
  return out;
}

std::string gzip_compress(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib initialisation failed");
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip compression failed");
  return out;
}

bool looks_gzipped(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

bool is_gzip_encoding(std::string_view content_encoding) {
  std::string lower;
  for (const char c : content_encoding) {
    if (c != ' ' && c != '\t') lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lower == "gzip" || lower == "x-gzip";
}

}  // namespace wsemu
