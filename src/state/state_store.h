#pragma once
// What gd2sentinel remembers between runs: per-unit checkpoints and the finding versions it has
// delivered (the dedupe window). Implementations are safe to call from any thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/finding.h"
#include "core/time.h"

namespace gd2s {

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

class StateStore {
 public:
  virtual ~StateStore() = default;

  virtual std::optional<UnitCheckpoint> checkpoint(std::string_view source,
                                                   std::string_view key) = 0;
  virtual void save_checkpoint(const UnitCheckpoint& checkpoint) = 0;

  /// Whether this version was delivered at or after `since`.
  virtual bool delivered_since(const FindingVersion& version, Timestamp since) = 0;
  /// Records versions as delivered at `at`, in one transaction.
  virtual void remember_delivered(std::span<const FindingVersion> versions, Timestamp at) = 0;
  /// Drops delivered versions older than `before`; returns how many.
  virtual uint64_t forget_delivered_before(Timestamp before) = 0;
};

using StateStorePtr = std::unique_ptr<StateStore>;

}  // namespace gd2s
