#pragma once
// Dead letters as JSON Lines: one object per record with its reason, where it came from and
// the original text (base64 when the original is not valid UTF-8).

#include <cstdio>
#include <mutex>
#include <string>

#include "core/dead_letter.h"

namespace gd2s {

class DeadLetterFile final : public DeadLetterStore {
 public:
  /// Opens `path` for appending, creating it with mode 0600. Throws std::runtime_error.
  explicit DeadLetterFile(const std::string& path);
  ~DeadLetterFile() override;
  DeadLetterFile(const DeadLetterFile&) = delete;
  DeadLetterFile& operator=(const DeadLetterFile&) = delete;

  void write(const DeadLetter& letter) override;

  /// One dead letter as its JSON line (without the newline).
  static std::string to_json(const DeadLetter& letter);

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::mutex mutex_;
};

}  // namespace gd2s
