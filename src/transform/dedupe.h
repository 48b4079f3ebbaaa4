#pragma once
// Sends each version of a finding once: GuardDuty re-exports a finding on every update, and the
// same version can arrive through several paths (S3 export, EventBridge) or after a restart.
//
// A version counts as delivered only when the sink has accepted it; until then it is merely
// reserved, so a crash before delivery never turns a finding into a "duplicate" that is lost.
//
// Membership is answered in memory: the key of every version delivered within the window (read
// from the state store on first use) and of every version accepted since (DeliveredKeys). A miss
// there is final. A hit is confirmed exactly — against the versions accepted but not yet written,
// then against the state store — so two versions sharing a key never drop one of them.
//
// Accepted versions are staged in memory and written in one transaction by flush(): before any
// unit commits (the pipeline sets flush() as the unit's before_commit hook), when kFlushAt are
// staged, and at the end of a run. A crash before a flush loses only versions of units not yet
// committed, which are read, and sent, again.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/duration.h"
#include "core/finding.h"
#include "core/mutex.h"
#include "state/state_store.h"
#include "transform/delivered_keys.h"

namespace gd2s {

class Dedupe {
 public:
  /// Staged versions written as soon as this many wait (memory stays bounded in a long unit).
  static constexpr size_t kFlushAt = 4096;

  /// A window of zero turns deduplication off. `hash` names each version's key (tests force
  /// collisions with it).
  Dedupe(StateStore& store, Duration window, VersionHash hash = version_key)
      : store_(store), window_(window), hash_(hash) {}
  /// Writes what is still staged; a failure is logged, not thrown.
  ~Dedupe();
  Dedupe(const Dedupe&) = delete;
  Dedupe& operator=(const Dedupe&) = delete;

  bool enabled() const { return window_.count() > 0; }

  /// For each version, true when it was delivered within the window, is in flight right now,
  /// or appears earlier in `versions`; the others are reserved. Answered in memory; only
  /// versions whose key is known are looked up in the state store, one read for the lot.
  std::vector<bool> find_duplicates(std::span<const FindingVersion> versions) EXCLUDES(mutex_);
  bool is_duplicate(const FindingVersion& version) EXCLUDES(mutex_) {
    return find_duplicates(std::span(&version, 1))[0];
  }
  /// The sink accepted these: remember them (staged until the next flush) and lift their
  /// reservations. Flushes when kFlushAt versions are staged.
  void delivered(std::span<const FindingVersion> versions) EXCLUDES(mutex_, flush_mutex_);
  /// The record was dead-lettered: lift its reservation so a later copy can go through.
  void abandoned(const FindingVersion& version) EXCLUDES(mutex_);
  /// Writes every staged version to the state store in one transaction; when it returns, each
  /// version delivered() before the call is in the store. Safe from any thread. Throws
  /// StateError (the versions stay staged).
  void flush() EXCLUDES(mutex_, flush_mutex_);
  /// Drops remembered versions older than the window, and the keys in memory with them.
  uint64_t prune() EXCLUDES(mutex_);

  /// Keys in memory (0 until first use), and the bytes of their table.
  size_t keys_in_memory() const EXCLUDES(mutex_);
  size_t memory_bytes() const EXCLUDES(mutex_);
  /// Versions accepted and not yet written to the state store.
  size_t staged() const EXCLUDES(mutex_);

 private:
  struct Hash {
    size_t operator()(const FindingVersion& v) const {
      return std::hash<std::string>{}(v.id) ^ (std::hash<std::string>{}(v.updated_at) << 1);
    }
  };
  using VersionSet = std::unordered_set<FindingVersion, Hash>;

  VersionKey key(const FindingVersion& v) const { return hash_(v.id, v.updated_at); }
  // Fills keys_ from the state store and from the versions not yet written to it.
  void load() REQUIRES(mutex_);
  // A version staged or being written: delivered, though the store may not have it yet.
  bool unwritten(const FindingVersion& v) const REQUIRES(mutex_);

  StateStore& store_;
  const Duration window_;
  const VersionHash hash_;

  mutable Mutex mutex_;
  DeliveredKeys keys_ GUARDED_BY(mutex_);
  bool loaded_ GUARDED_BY(mutex_) = false;
  VersionSet in_flight_ GUARDED_BY(mutex_);
  VersionSet staged_ GUARDED_BY(mutex_);
  // The staged versions a flush is writing now (it writes without mutex_): they count as
  // delivered until the write has committed and they are in the store.
  std::shared_ptr<const VersionSet> writing_ GUARDED_BY(mutex_);
  // One flush at a time, so that a flush returns only once every earlier one has written.
  // Taken before mutex_, never while holding it.
  Mutex flush_mutex_;
};

}  // namespace gd2s
