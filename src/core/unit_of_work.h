#pragma once
// A unit of work is what a source hands out and commits as one: a file, an S3 object, an SQS
// message. It counts the records taken from it and how each was settled; once the source has
// sealed it and every record is settled, it commits exactly once (checkpoint, delete, ...).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/mutex.h"

namespace gd2s {

enum class Settlement { kAccepted, kFiltered, kDeadLettered };

struct UnitCounts {
  uint64_t emitted = 0;  // records handed out by the source (not counting skipped ones)
  uint64_t accepted = 0;
  uint64_t filtered = 0;
  uint64_t dead_lettered = 0;
  uint64_t settled() const { return accepted + filtered + dead_lettered; }
};

class UnitOfWork {
 public:
  /// How reading a unit ended.
  enum class Ending {
    kComplete,   // every record was read
    kStopped,    // shutdown: the records handed out commit, a restart resumes after them
    kAbandoned,  // the source could not finish (e.g. a dropped connection): never commits,
                 // so the unit is read again later
  };
  /// Called once, on the thread that settles the last record (or seals an empty unit), for
  /// units that end kComplete or kStopped.
  using CommitFn = std::function<void(const UnitOfWork&, Ending ending)>;

  UnitOfWork(std::string source, std::string key, uint64_t skipped_records, CommitFn on_commit)
      : source_(std::move(source)),
        key_(std::move(key)),
        skipped_(skipped_records),
        on_commit_(std::move(on_commit)) {}

  UnitOfWork(const UnitOfWork&) = delete;
  UnitOfWork& operator=(const UnitOfWork&) = delete;

  const std::string& source() const { return source_; }
  /// What names the unit to a person: a path, bucket/key, a message id.
  const std::string& key() const { return key_; }
  /// When the source opened it (for the checkpoint lag metric).
  std::chrono::steady_clock::time_point opened_at() const { return opened_at_; }
  /// Records committed by an earlier run and not handed out again.
  uint64_t skipped_records() const { return skipped_; }

  /// Runs `hook` once, just before the commit callback and outside the unit's lock, on the thread
  /// that commits: what the records made durable elsewhere is written there before the unit
  /// commits (the dedupe window's delivered versions). If it throws, the unit does not commit
  /// (on_commit is not called) and the exception goes to that thread. Only the first call sets
  /// it; later ones are ignored.
  void before_commit(std::function<void()> hook);

  /// Registers one more record; returns its index within the unit (counting skipped ones).
  uint64_t add_record();
  void settle(Settlement how);
  /// No more records will come. Commits now if everything is already settled.
  void seal(Ending ending);

  UnitCounts counts() const;
  bool committed() const;

 private:
  struct DueCommit {
    Ending ending;
    std::function<void()> before;
  };
  // What to commit with when the unit is due to commit now (it then counts as committed): the
  // caller unlocks first and then calls commit(), so no callback runs under mutex_.
  std::optional<DueCommit> commit_due() REQUIRES(mutex_);
  void commit(const DueCommit& due) EXCLUDES(mutex_);

  const std::string source_;
  const std::string key_;
  const uint64_t skipped_;
  const std::chrono::steady_clock::time_point opened_at_ = std::chrono::steady_clock::now();
  CommitFn on_commit_;

  mutable Mutex mutex_;
  UnitCounts counts_ GUARDED_BY(mutex_);
  bool sealed_ GUARDED_BY(mutex_) = false;
  Ending ending_ GUARDED_BY(mutex_) = Ending::kComplete;
  bool committed_ GUARDED_BY(mutex_) = false;
  std::function<void()> before_commit_ GUARDED_BY(mutex_);
};

using UnitPtr = std::shared_ptr<UnitOfWork>;

}  // namespace gd2s
