#include "sinks/gzip_encoder.h"

#include <stdexcept>

namespace gd2s {

namespace {
constexpr int kGzipWindowBits = 15 + 16;  // 16: a gzip header and trailer instead of zlib's
constexpr int kMemLevel = 8;
}  // namespace

GzipEncoder::GzipEncoder(int level) {
  if (deflateInit2(&stream_, level, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    throw std::runtime_error("gzip: zlib could not be initialised");
}

GzipEncoder::~GzipEncoder() {
  deflateEnd(&stream_);
}

void GzipEncoder::compress(std::string_view data, std::string& out) {
  if (deflateReset(&stream_) != Z_OK) throw std::runtime_error("gzip: zlib reset failed");
  out.resize(deflateBound(&stream_, static_cast<uLong>(data.size())));
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream_.avail_in = static_cast<uInt>(data.size());
  stream_.next_out = reinterpret_cast<Bytef*>(out.data());
  stream_.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream_, Z_FINISH) != Z_STREAM_END)
    throw std::runtime_error("gzip: zlib could not compress the body");
  out.resize(stream_.total_out);
}

}  // namespace gd2s
