#include "decode/gunzip.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace gd2s {

MaybeGunzipStream::MaybeGunzipStream(ByteStream& upstream) : upstream_(upstream) {}

MaybeGunzipStream::~MaybeGunzipStream() {
  if (zs_ready_) inflateEnd(&zs_);
}

bool MaybeGunzipStream::fill_input() {
  if (input_pos_ < input_len_) return true;
  if (upstream_done_) return false;
  input_len_ = upstream_.read(input_);
  input_pos_ = 0;
  compressed_bytes_ += input_len_;
  if (input_len_ == 0) upstream_done_ = true;
  return input_len_ > 0;
}

void MaybeGunzipStream::sniff() {
  sniffed_ = true;
  // Two bytes may arrive in separate reads; gather them without losing either.
  while (input_len_ - input_pos_ < 2 && !upstream_done_) {
    if (input_pos_ > 0) {
      std::memmove(input_.data(), input_.data() + input_pos_, input_len_ - input_pos_);
      input_len_ -= input_pos_;
      input_pos_ = 0;
    }
    size_t n =
        upstream_.read(std::span<char>(input_.data() + input_len_, input_.size() - input_len_));
    compressed_bytes_ += n;
    if (n == 0) upstream_done_ = true;
    input_len_ += n;
  }
  compressed_ = input_len_ - input_pos_ >= 2 &&
                static_cast<unsigned char>(input_[input_pos_]) == 0x1f &&
                static_cast<unsigned char>(input_[input_pos_ + 1]) == 0x8b;
  if (compressed_) {
    if (inflateInit2(&zs_, 16 + MAX_WBITS) != Z_OK) throw StreamError("cannot start gzip decoder");
    zs_ready_ = true;
  }
}

size_t MaybeGunzipStream::read(std::span<char> buffer) {
  if (!sniffed_) sniff();
  if (buffer.empty()) return 0;
  if (!compressed_) {
    if (!fill_input()) return 0;
    size_t n = std::min(buffer.size(), input_len_ - input_pos_);
    std::memcpy(buffer.data(), input_.data() + input_pos_, n);
    input_pos_ += n;
    return n;
  }
  return inflate_into(buffer);
}

size_t MaybeGunzipStream::inflate_into(std::span<char> buffer) {
  while (!finished_) {
    if (member_done_) {
      // Another member may follow (multi-member gzip); anything else after a member is an error.
      if (!fill_input()) {
        finished_ = true;
        break;
      }
      unsigned char first = static_cast<unsigned char>(input_[input_pos_]);
      if (first != 0x1f)
        throw StreamError("bytes that are not gzip follow the gzip data at compressed offset " +
                          std::to_string(compressed_bytes_ - (input_len_ - input_pos_)));
      inflateReset(&zs_);
      member_done_ = false;
    }
    if (input_pos_ >= input_len_ && !fill_input())
      throw StreamError("gzip stream is truncated: it ended after " +
                        std::to_string(compressed_bytes_) + " compressed bytes (" +
                        std::to_string(output_bytes_) + " bytes decompressed)");
    zs_.next_in = reinterpret_cast<Bytef*>(input_.data() + input_pos_);
    zs_.avail_in = static_cast<uInt>(input_len_ - input_pos_);
    zs_.next_out = reinterpret_cast<Bytef*>(buffer.data());
    zs_.avail_out = static_cast<uInt>(buffer.size());
    int rc = inflate(&zs_, Z_NO_FLUSH);
    input_pos_ = input_len_ - zs_.avail_in;
    size_t produced = buffer.size() - zs_.avail_out;
    output_bytes_ += produced;
    if (rc == Z_STREAM_END) {
      member_done_ = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      std::string why = zs_.msg != nullptr ? zs_.msg : "error " + std::to_string(rc);
      throw StreamError("gzip data is corrupt after " + std::to_string(output_bytes_) +
                        " decompressed bytes: " + why);
    }
    if (produced > 0) return produced;
  }
  return 0;
}

}  // namespace gd2s
