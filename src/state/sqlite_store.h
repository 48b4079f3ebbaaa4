#pragma once
// The StateStore in one SQLite file (WAL mode), with versioned migrations.

#include <sqlite3.h>

#include <stdexcept>
#include <string>

#include "core/mutex.h"
#include "state/state_lock.h"
#include "state/state_store.h"

namespace gd2s {

class SqliteStateStore final : public StateStore {
 public:
  /// Takes the lock `access` asks for (state_lock.h), then opens (creating if needed) and
  /// migrates the database at `path`. Throws StateInUseError when another process holds the
  /// lock, StateError on any other failure.
  explicit SqliteStateStore(const std::string& path, StateAccess access = StateAccess::kRun);
  ~SqliteStateStore() override;
  SqliteStateStore(const SqliteStateStore&) = delete;
  SqliteStateStore& operator=(const SqliteStateStore&) = delete;

  std::optional<UnitCheckpoint> checkpoint(std::string_view source, std::string_view key) override;
  void save_checkpoint(const UnitCheckpoint& cp) override;
  using StateStore::delivered_since;
  std::vector<bool> delivered_since(std::span<const FindingVersion> versions,
                                    Timestamp since) override;
  void each_delivered_since(Timestamp since, const DeliveredVisitor& visit) override;
  void remember_delivered(std::span<const FindingVersion> versions, Timestamp at) override;
  uint64_t forget_delivered_before(Timestamp before) override;
  std::optional<DeadLetterMark> dead_letter_mark(std::string_view line_sha256,
                                                 uint64_t ordinal) override;
  void record_replay(std::string_view line_sha256, uint64_t ordinal, Timestamp at,
                     std::string_view failure) override;

  /// The schema version after migrations (for tests and `check`).
  int schema_version();
  /// The newest schema version this build knows.
  static int latest_schema_version();

 private:
  // The constructor and destructor call these too, before and after any other thread can.
  void open_schema() REQUIRES(mutex_);
  void close() REQUIRES(mutex_);
  void exec(const char* sql) REQUIRES(mutex_);
  void migrate() REQUIRES(mutex_);
  sqlite3_stmt* prepare(const char* sql) REQUIRES(mutex_);

  std::string path_;
  StateDatabaseLock lock_;  // taken before the database is opened, released after it is closed
  Mutex mutex_;
  sqlite3* db_ GUARDED_BY(mutex_) = nullptr;
  sqlite3_stmt* get_checkpoint_ GUARDED_BY(mutex_) = nullptr;
  sqlite3_stmt* put_checkpoint_ GUARDED_BY(mutex_) = nullptr;
  sqlite3_stmt* get_delivered_ GUARDED_BY(mutex_) = nullptr;
  sqlite3_stmt* scan_delivered_ GUARDED_BY(mutex_) = nullptr;
  sqlite3_stmt* put_delivered_ GUARDED_BY(mutex_) = nullptr;
  sqlite3_stmt* prune_delivered_ GUARDED_BY(mutex_) = nullptr;
  sqlite3_stmt* get_replay_ GUARDED_BY(mutex_) = nullptr;
  sqlite3_stmt* put_replay_ GUARDED_BY(mutex_) = nullptr;
};

}  // namespace gd2s
