#pragma once
// Sends each version of a finding once: GuardDuty re-exports a finding on every update, and the
// same version can arrive through several paths (S3 export, EventBridge) or after a restart.
//
// A version counts as delivered only when the sink has accepted it; until then it is merely
// reserved, so a crash before delivery never turns a finding into a "duplicate" that is lost.

#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/duration.h"
#include "core/finding.h"
#include "core/mutex.h"
#include "state/state_store.h"

namespace gd2s {

class Dedupe {
 public:
  /// A window of zero turns deduplication off.
  Dedupe(StateStore& store, Duration window) : store_(store), window_(window) {}

  bool enabled() const { return window_.count() > 0; }

  /// For each version, true when it was delivered within the window, is in flight right now,
  /// or appears earlier in `versions`; the others are reserved. One state-store read for the
  /// lot, which is what makes checking a batch cheaper than checking its versions one by one.
  std::vector<bool> find_duplicates(std::span<const FindingVersion> versions);
  bool is_duplicate(const FindingVersion& version) {
    return find_duplicates(std::span(&version, 1))[0];
  }
  /// The sink accepted these: remember them and lift their reservations.
  void delivered(std::span<const FindingVersion> versions);
  /// The record was dead-lettered: lift its reservation so a later copy can go through.
  void abandoned(const FindingVersion& version);
  /// Drops remembered versions older than the window.
  uint64_t prune();

 private:
  struct Hash {
    size_t operator()(const FindingVersion& v) const {
      return std::hash<std::string>{}(v.id) ^ (std::hash<std::string>{}(v.updated_at) << 1);
    }
  };

  StateStore& store_;
  Duration window_;
  Mutex mutex_;
  std::unordered_set<FindingVersion, Hash> in_flight_ GUARDED_BY(mutex_);
};

}  // namespace gd2s
