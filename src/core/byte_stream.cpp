#include "core/byte_stream.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace gd2s {

FileByteStream::FileByteStream(const std::string& path) : path_(path) {
  if (path == "-") {
    file_ = stdin;
    owned_ = false;
    return;
  }
  file_ = std::fopen(path.c_str(), "rb");
  if (file_ == nullptr) throw StreamError("cannot open " + path + ": " + std::strerror(errno));
}

FileByteStream::~FileByteStream() {
  if (file_ != nullptr && owned_) std::fclose(file_);
}

size_t FileByteStream::read(std::span<char> buffer) {
  size_t n = std::fread(buffer.data(), 1, buffer.size(), file_);
  if (n == 0 && std::ferror(file_))
    throw TransportError("cannot read " + path_ + ": " + std::strerror(errno));
  return n;
}

size_t MemoryByteStream::read(std::span<char> buffer) {
  size_t n = std::min(buffer.size(), bytes_.size() - pos_);
  std::memcpy(buffer.data(), bytes_.data() + pos_, n);
  pos_ += n;
  return n;
}

}  // namespace gd2s
