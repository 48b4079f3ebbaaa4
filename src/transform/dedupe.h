#pragma once
// Sends each version of a finding once: GuardDuty re-exports a finding on every update, and the
// same version can arrive through several paths (S3 export, EventBridge) or after a restart.
//
// A version counts as delivered only when the sink has accepted it; until then it is merely
// reserved, so a crash before delivery never turns a finding into a "duplicate" that is lost.

#include <mutex>
#include <span>
#include <string>
#include <unordered_set>

#include "core/duration.h"
#include "core/finding.h"
#include "state/state_store.h"

namespace gd2s {

class Dedupe {
 public:
  /// A window of zero turns deduplication off.
  Dedupe(StateStore& store, Duration window) : store_(store), window_(window) {}

  bool enabled() const { return window_.count() > 0; }

  /// True when the version was delivered within the window or is in flight right now;
  /// otherwise reserves it and returns false.
  bool is_duplicate(const FindingVersion& version);
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
  std::mutex mutex_;
  std::unordered_set<FindingVersion, Hash> in_flight_;
};

}  // namespace gd2s
