#include "sinks/gzip_encoder.h"

#include <libdeflate.h>

#include <stdexcept>
#include <string>

namespace gd2s {

GzipEncoder::GzipEncoder(int level) : compressor_(libdeflate_alloc_compressor(level)) {
  if (compressor_ == nullptr)
    throw std::runtime_error("gzip: libdeflate could not be initialised at level " +
                             std::to_string(level));
}

GzipEncoder::~GzipEncoder() {
  libdeflate_free_compressor(compressor_);
}

void GzipEncoder::compress(std::string_view data, std::string& out) {
  size_t bound = libdeflate_gzip_compress_bound(compressor_, data.size());
  if (room_size_ < bound) {
    room_.reset(new char[bound]);
    room_size_ = bound;
  }
  size_t written =
      libdeflate_gzip_compress(compressor_, data.data(), data.size(), room_.get(), room_size_);
  if (written == 0) throw std::runtime_error("gzip: libdeflate could not compress the body");
  out.assign(room_.get(), written);
}

GzipDecoder::GzipDecoder() : decompressor_(libdeflate_alloc_decompressor()) {
  if (decompressor_ == nullptr)
    throw std::runtime_error("gzip: libdeflate could not be initialised to decompress");
}

GzipDecoder::~GzipDecoder() {
  libdeflate_free_decompressor(decompressor_);
}

void GzipDecoder::decompress(std::string_view gzip, size_t size, std::string& out) {
  out.resize(size);
  size_t actual = 0;
  libdeflate_result result = libdeflate_gzip_decompress(decompressor_, gzip.data(), gzip.size(),
                                                        out.data(), out.size(), &actual);
  if (result != LIBDEFLATE_SUCCESS || actual != size)
    throw std::runtime_error("gzip: a request body did not decompress to its " +
                             std::to_string(size) + " bytes");
}

}  // namespace gd2s
