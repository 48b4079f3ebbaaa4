#pragma once
// What gd2sentinel remembers between runs: per-unit checkpoints and the finding versions it has
// delivered (the dedupe window). Implementations are safe to call from any thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "core/time.h"

namespace gd2s {

/// A state database that cannot be opened, read or written; the message names it.
class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class CheckpointStatus { kPartial, kDone };

/// How far one unit (a file, an S3 object) has been committed.
struct UnitCheckpoint {
  std::string source;   // "files", "s3_listing", ...
  std::string key;      // path, bucket/key
  std::string version;  // what identifies this content: ETag, or size and mtime for files
  uint64_t size = 0;
  CheckpointStatus status = CheckpointStatus::kPartial;
  uint64_t records_committed = 0;
  Timestamp updated_at{};
};

/// What `dead-letters replay` did with one line of the dead-letter file. The line is named by
/// its content, so the file itself is never rewritten (a running gd2sentinel appends to it).
struct DeadLetterMark {
  std::string line_sha256;               // SHA-256 of the line's bytes (without its newline), hex
  uint64_t ordinal = 1;                  // which of several identical lines, 1-based in file order
  std::optional<Timestamp> replayed_at;  // set once replayed; final
  Timestamp attempted_at{};              // the last replay attempt
  uint64_t attempts = 0;
  std::string last_failure;  // why the last attempt failed; empty once replayed
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  virtual std::optional<UnitCheckpoint> checkpoint(std::string_view source,
                                                   std::string_view key) = 0;
  virtual void save_checkpoint(const UnitCheckpoint& checkpoint) = 0;

  /// For each version, whether it was delivered at or after `since`; one read for the lot.
  virtual std::vector<bool> delivered_since(std::span<const FindingVersion> versions,
                                            Timestamp since) = 0;
  bool delivered_since(const FindingVersion& version, Timestamp since) {
    return delivered_since(std::span(&version, 1), since)[0];
  }
  /// Calls `visit` with the id and updatedAt of every version delivered at or after `since`, in
  /// one read (the views live only for the call). `visit` must not call the store.
  using DeliveredVisitor = std::function<void(std::string_view id, std::string_view updated_at)>;
  virtual void each_delivered_since(Timestamp since, const DeliveredVisitor& visit) = 0;
  /// Records versions as delivered at `at`, in one transaction.
  virtual void remember_delivered(std::span<const FindingVersion> versions, Timestamp at) = 0;
  /// Drops delivered versions older than `before`; returns how many.
  virtual uint64_t forget_delivered_before(Timestamp before) = 0;

  /// The replay mark of one dead-letter line, if it was ever replayed or tried.
  virtual std::optional<DeadLetterMark> dead_letter_mark(std::string_view line_sha256,
                                                         uint64_t ordinal) = 0;
  /// Records one replay attempt at `at`: an empty `failure` marks the line replayed, for good;
  /// otherwise `failure` is kept as the last one. A line already replayed is left as it is.
  virtual void record_replay(std::string_view line_sha256, uint64_t ordinal, Timestamp at,
                             std::string_view failure) = 0;
};

using StateStorePtr = std::unique_ptr<StateStore>;

}  // namespace gd2s
