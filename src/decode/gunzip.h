#pragma once
// Decompresses gzip when the bytes say so (magic 1f 8b), whatever the name or headers claim,
// and passes anything else through. Concatenated gzip members are read one after another.

#include <zlib.h>

#include <array>
#include <memory>

#include "core/byte_stream.h"

namespace gd2s {

class MaybeGunzipStream final : public ByteStream {
 public:
  explicit MaybeGunzipStream(ByteStream& upstream);
  ~MaybeGunzipStream() override;
  MaybeGunzipStream(const MaybeGunzipStream&) = delete;
  MaybeGunzipStream& operator=(const MaybeGunzipStream&) = delete;

  size_t read(std::span<char> buffer) override;
  /// Known after the first read.
  bool compressed() const { return compressed_; }

 private:
  bool fill_input();
  void sniff();
  size_t inflate_into(std::span<char> buffer);

  ByteStream& upstream_;
  std::array<char, 32 * 1024> input_{};  // as RecordReader's chunk: one per object being read
  size_t input_len_ = 0;
  size_t input_pos_ = 0;
  bool upstream_done_ = false;
  bool sniffed_ = false;
  bool compressed_ = false;
  bool finished_ = false;  // every gzip member read to its end and no bytes follow
  bool member_done_ = false;
  z_stream zs_{};
  bool zs_ready_ = false;
  uint64_t compressed_bytes_ = 0;
  uint64_t output_bytes_ = 0;
};

}  // namespace gd2s
