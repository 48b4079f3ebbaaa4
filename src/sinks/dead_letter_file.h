#pragma once
// Dead letters as JSON Lines: one object per record with its reason, where it came from and
// the original text (base64 when the original is not valid UTF-8, or when escaping its control
// bytes would cost more than base64). Bounded: an original longer than a record can be keeps
// only its start (with its length and SHA-256), and the file never grows past max_file_bytes.

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "core/dead_letter.h"
#include "core/mutex.h"

namespace gd2s {

struct DeadLetterFileLimits {
  /// Originals up to this long are kept whole (a record can be no longer, so these can be
  /// replayed).
  size_t max_record_bytes = 1024 * 1024;
  /// Of a longer original, only this many first bytes are kept, with its length and SHA-256.
  size_t max_original_bytes = 64 * 1024;
  /// The most the file may hold; a dead letter that would take it past this is refused.
  uint64_t max_file_bytes = uint64_t{1024} * 1024 * 1024;
};

/// A dead letter that would take the file past max_file_bytes: nothing is written, the record
/// stays unsettled (its unit uncommitted) and the run stops.
class DeadLetterFileFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DeadLetterFile final : public DeadLetterStore {
 public:
  /// Opens `path` for appending, creating it with mode 0600. Throws std::runtime_error.
  explicit DeadLetterFile(const std::string& path, DeadLetterFileLimits limits = {});
  ~DeadLetterFile() override;
  DeadLetterFile(const DeadLetterFile&) = delete;
  DeadLetterFile& operator=(const DeadLetterFile&) = delete;

  /// Throws DeadLetterFileFull, or std::runtime_error when the file cannot be written.
  void write(const DeadLetter& letter) override;

  /// One dead letter as its JSON line (without the newline), its original as it is.
  static std::string to_json(const DeadLetter& letter);
  /// `letter` with an original longer than `limits.max_record_bytes` cut to its first
  /// `limits.max_original_bytes` (at a UTF-8 character boundary), the whole one's length and
  /// SHA-256 recorded in `truncated`.
  static DeadLetter bounded(const DeadLetter& letter, const DeadLetterFileLimits& limits);

 private:
  std::string path_;
  DeadLetterFileLimits limits_;
  std::FILE* file_ GUARDED_BY(mutex_) = nullptr;  // written by one thread at a time
  Mutex mutex_;
};

}  // namespace gd2s
