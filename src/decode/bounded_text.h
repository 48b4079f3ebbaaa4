#pragma once
// A text of any length of which only a bounded start is held: all of it while it fits in `keep`
// bytes; once it grows past that, its first `prefix` bytes, its whole length and the SHA-256 of
// all of it (computed as the bytes go by). A line, an array element or a document being read.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/dead_letter.h"
#include "core/sha256.h"

namespace gd2s {

class BoundedText {
 public:
  BoundedText(size_t keep, size_t prefix) : keep_(keep < prefix ? prefix : keep), prefix_(prefix) {}

  void append(std::string_view bytes) {
    size_ += bytes.size();
    if (!hash_) {
      if (kept_.size() + bytes.size() <= keep_) {
        kept_.append(bytes);
        return;
      }
      hash_.emplace();
      hash_->update(kept_);
      if (kept_.size() > prefix_) kept_.resize(prefix_);
    }
    hash_->update(bytes);
    if (kept_.size() < prefix_) kept_.append(bytes.substr(0, prefix_ - kept_.size()));
  }

  void clear() {
    kept_.clear();
    size_ = 0;
    hash_.reset();
  }

  /// Every byte appended, kept or not.
  uint64_t size() const { return size_; }
  /// Only the first `prefix` bytes are held.
  bool cut() const { return hash_.has_value(); }
  const std::string& kept() const { return kept_; }
  std::string& kept() { return kept_; }

  /// What a dead letter says of a cut text (its length and hash); nullopt when all of it is
  /// held. Ends the hash: clear() before appending again.
  std::optional<TruncatedOriginal> truncation() {
    if (!hash_) return std::nullopt;
    return TruncatedOriginal{size_, hash_->hex_digest()};
  }

 private:
  size_t keep_;
  size_t prefix_;
  std::string kept_;
  uint64_t size_ = 0;
  std::optional<Sha256> hash_;
};

}  // namespace gd2s
