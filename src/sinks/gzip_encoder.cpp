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
  out.resize(libdeflate_gzip_compress_bound(compressor_, data.size()));
  size_t written =
      libdeflate_gzip_compress(compressor_, data.data(), data.size(), out.data(), out.size());
  if (written == 0) throw std::runtime_error("gzip: libdeflate could not compress the body");
  out.resize(written);
}

}  // namespace gd2s
