#pragma once
// One writer per state database. Two `run`s on one database both deliver everything (each
// thinks the other's units are its own), so a run holds an exclusive lock on a file beside the
// database, `<database>.lock`, for as long as it lives; a second one fails at start and the
// error names the holder. `dead-letters replay` holds `<database>.replay.lock` instead: it may
// run beside the service, but not beside another replay. Inspectors (`check`, `dead-letters
// list`) take no lock.
//
// The lock is flock(2): it belongs to the open file description, so it conflicts between two
// processes and between two opens in one process alike, and the kernel drops it when the
// process dies however it dies (SIGKILL, OOM): there is never a stale lock to clean up. The
// file itself stays; only the lock on it counts. It holds the holder's pid, host and start
// time, for the error of the one refused.

#include <string>

#include "state/state_store.h"

namespace gd2s {

/// What a process opens the state database for.
enum class StateAccess {
  kRun,      // `run`: the one process delivering from this database
  kReplay,   // `dead-letters replay`: one at a time, beside a run
  kInspect,  // `check`, `dead-letters list`: no lock
};

/// Thrown when another process (or another open in this one) holds the lock.
class StateInUseError : public StateError {
 public:
  using StateError::StateError;
};

class StateDatabaseLock {
 public:
  /// Takes the lock `access` needs on `database` (none for kInspect). Throws StateInUseError
  /// naming the holder when it is taken, StateError when the lock file cannot be created.
  StateDatabaseLock(const std::string& database, StateAccess access);
  ~StateDatabaseLock();
  StateDatabaseLock(const StateDatabaseLock&) = delete;
  StateDatabaseLock& operator=(const StateDatabaseLock&) = delete;

  /// The lock file's path; empty for kInspect.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace gd2s
