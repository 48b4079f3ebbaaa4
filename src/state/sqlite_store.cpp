#include "state/sqlite_store.h"

#include <array>
#include <chrono>

namespace gd2s {
namespace {

// Each entry moves the schema from version i to i + 1. Never edit one that has shipped: add one.
constexpr std::array<const char*, 4> kMigrations = {
    R"sql(
CREATE TABLE unit_checkpoints (
  source            TEXT    NOT NULL,
  unit_key          TEXT    NOT NULL,
  version           TEXT    NOT NULL,
  size              INTEGER NOT NULL,
  status            TEXT    NOT NULL CHECK (status IN ('partial', 'done')),
  records_committed INTEGER NOT NULL,
  updated_at_us     INTEGER NOT NULL,
  PRIMARY KEY (source, unit_key)
) WITHOUT ROWID;
CREATE TABLE delivered_findings (
  finding_id    TEXT    NOT NULL,
  updated_at    TEXT    NOT NULL,
  delivered_us  INTEGER NOT NULL,
  PRIMARY KEY (finding_id, updated_at)
) WITHOUT ROWID;
CREATE INDEX delivered_findings_age ON delivered_findings (delivered_us);
)sql",
    // `dead-letters replay`: one row per dead-letter line replayed or tried, named by the SHA-256
    // of the line and its ordinal among identical lines (the file is never rewritten).
    R"sql(
CREATE TABLE dead_letter_replays (
  line_sha256   TEXT    NOT NULL,
  ordinal       INTEGER NOT NULL,
  replayed_us   INTEGER,
  attempted_us  INTEGER NOT NULL,
  attempts      INTEGER NOT NULL,
  last_failure  TEXT    NOT NULL,
  PRIMARY KEY (line_sha256, ordinal)
) WITHOUT ROWID;
)sql",
    // The delivered versions keyed by time first: finding ids are random, so keyed by id each
    // version of a batch landed on a page of its own (two page writes per finding, and reads
    // from all over the file); keyed by updated_at, a batch of fresh versions lands on a few
    // pages at the tree's right-hand end, and looking a fresh version up reads those same pages.
    R"sql(
CREATE TABLE delivered_versions (
  updated_at    TEXT    NOT NULL,
  finding_id    TEXT    NOT NULL,
  delivered_us  INTEGER NOT NULL,
  PRIMARY KEY (updated_at, finding_id)
) WITHOUT ROWID;
INSERT INTO delivered_versions (updated_at, finding_id, delivered_us)
  SELECT updated_at, finding_id, delivered_us FROM delivered_findings;
DROP TABLE delivered_findings;
CREATE INDEX delivered_versions_age ON delivered_versions (delivered_us);
)sql",
    // No index by delivery time: it doubled the cost of writing each delivered version, for the
    // two reads that want it (the window's versions, read once at start, and the prune), which
    // read most of the table anyway.
    R"sql(
DROP INDEX delivered_versions_age;
)sql",
};

int64_t to_micros(Timestamp t) {
  return t.time_since_epoch().count();
}
Timestamp from_micros(int64_t us) {
  return Timestamp{std::chrono::microseconds{us}};
}

class Reset {
 public:
  explicit Reset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Reset(const Reset&) = delete;
  Reset& operator=(const Reset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

// Bound without a copy (SQLITE_STATIC): every statement is bound inside a Reset's scope, which
// clears its bindings before the text they point to goes away.
void bind_text(sqlite3_stmt* stmt, int index, std::string_view text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

}  // namespace

SqliteStateStore::SqliteStateStore(const std::string& path, StateAccess access)
    : path_(path), lock_(path, access) {
  // NOMUTEX: every use of the connection holds mutex_, so SQLite's own lock would be a second.
  if (sqlite3_open_v2(path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StateError("cannot open state database " + path + ": " + why);
  }
  try {
    open_schema();
  } catch (...) {
    close();
    throw;
  }
}

void SqliteStateStore::open_schema() {
  sqlite3_busy_timeout(db_, 10'000);
  exec("PRAGMA journal_mode=WAL");
  // In WAL mode NORMAL is durable across process crashes; only an OS crash can lose the last
  // commits, and those units are then processed again (at-least-once).
  exec("PRAGMA synchronous=NORMAL");
  // 256 KiB of page cache rather than SQLite's 2 MiB: the dedupe window is answered in memory
  // (transform/dedupe.h), so the store is read at start and written in batches that append.
  exec("PRAGMA cache_size=-256");
  exec("PRAGMA foreign_keys=ON");
  migrate();
  get_checkpoint_ = prepare(
      "SELECT version, size, status, records_committed, updated_at_us FROM unit_checkpoints "
      "WHERE source = ?1 AND unit_key = ?2");
  put_checkpoint_ = prepare(
      "INSERT INTO unit_checkpoints (source, unit_key, version, size, status, records_committed, "
      "updated_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (source, unit_key) DO UPDATE "
      "SET version = excluded.version, size = excluded.size, status = excluded.status, "
      "records_committed = excluded.records_committed, updated_at_us = excluded.updated_at_us");
  get_delivered_ = prepare(
      "SELECT 1 FROM delivered_versions WHERE updated_at = ?2 AND finding_id = ?1 "
      "AND delivered_us >= ?3");
  // One pass over the table, read once at start (schema 4 has no index by delivery time).
  scan_delivered_ =
      prepare("SELECT finding_id, updated_at FROM delivered_versions WHERE delivered_us >= ?1");
  put_delivered_ = prepare(
      "INSERT INTO delivered_versions (updated_at, finding_id, delivered_us) VALUES (?2, ?1, ?3) "
      "ON CONFLICT (updated_at, finding_id) DO UPDATE SET delivered_us = excluded.delivered_us");
  prune_delivered_ = prepare("DELETE FROM delivered_versions WHERE delivered_us < ?1");
  get_replay_ = prepare(
      "SELECT replayed_us, attempted_us, attempts, last_failure FROM dead_letter_replays "
      "WHERE line_sha256 = ?1 AND ordinal = ?2");
  // ?4 empty: replayed at ?3. A line once replayed keeps its mark.
  put_replay_ = prepare(
      "INSERT INTO dead_letter_replays (line_sha256, ordinal, replayed_us, attempted_us, attempts, "
      "last_failure) VALUES (?1, ?2, CASE WHEN ?4 = '' THEN ?3 END, ?3, 1, ?4) "
      "ON CONFLICT (line_sha256, ordinal) DO UPDATE SET replayed_us = excluded.replayed_us, "
      "attempted_us = excluded.attempted_us, attempts = attempts + 1, "
      "last_failure = excluded.last_failure WHERE replayed_us IS NULL");
}

SqliteStateStore::~SqliteStateStore() {
  close();
}

void SqliteStateStore::close() {
  for (sqlite3_stmt* stmt : {get_checkpoint_, put_checkpoint_, get_delivered_, scan_delivered_,
                             put_delivered_, prune_delivered_, get_replay_, put_replay_})
    sqlite3_finalize(stmt);  // a no-op for null
  sqlite3_close(db_);
  db_ = nullptr;
}

void SqliteStateStore::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string why = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw StateError("state database " + path_ + ": " + why);
  }
}

sqlite3_stmt* SqliteStateStore::prepare(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
    throw StateError("state database " + path_ + ": " + sqlite3_errmsg(db_));
  return stmt;
}

int SqliteStateStore::latest_schema_version() {
  return static_cast<int>(kMigrations.size());
}

int SqliteStateStore::schema_version() {
  MutexLock lock(mutex_);
  sqlite3_stmt* stmt = prepare("PRAGMA user_version");
  int version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
  sqlite3_finalize(stmt);
  return version;
}

void SqliteStateStore::migrate() {
  exec("BEGIN IMMEDIATE");
  try {
    sqlite3_stmt* stmt = prepare("PRAGMA user_version");
    int version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if (version > latest_schema_version())
      throw StateError("state database " + path_ + " has schema version " +
                       std::to_string(version) + ", newer than this build knows (" +
                       std::to_string(latest_schema_version()) + "): use a newer gd2sentinel");
    for (int v = version; v < latest_schema_version(); ++v) {
      exec(kMigrations[static_cast<size_t>(v)]);
      exec(("PRAGMA user_version = " + std::to_string(v + 1)).c_str());
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::optional<UnitCheckpoint> SqliteStateStore::checkpoint(std::string_view source,
                                                           std::string_view key) {
  MutexLock lock(mutex_);
  Reset reset(get_checkpoint_);
  bind_text(get_checkpoint_, 1, source);
  bind_text(get_checkpoint_, 2, key);
  int rc = sqlite3_step(get_checkpoint_);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) throw StateError("reading checkpoint: " + std::string(sqlite3_errmsg(db_)));
  UnitCheckpoint cp;
  cp.source = source;
  cp.key = key;
  cp.version = reinterpret_cast<const char*>(sqlite3_column_text(get_checkpoint_, 0));
  cp.size = static_cast<uint64_t>(sqlite3_column_int64(get_checkpoint_, 1));
  std::string_view status = reinterpret_cast<const char*>(sqlite3_column_text(get_checkpoint_, 2));
  cp.status = status == "done" ? CheckpointStatus::kDone : CheckpointStatus::kPartial;
  cp.records_committed = static_cast<uint64_t>(sqlite3_column_int64(get_checkpoint_, 3));
  cp.updated_at = from_micros(sqlite3_column_int64(get_checkpoint_, 4));
  return cp;
}

void SqliteStateStore::save_checkpoint(const UnitCheckpoint& cp) {
  MutexLock lock(mutex_);
  Reset reset(put_checkpoint_);
  bind_text(put_checkpoint_, 1, cp.source);
  bind_text(put_checkpoint_, 2, cp.key);
  bind_text(put_checkpoint_, 3, cp.version);
  sqlite3_bind_int64(put_checkpoint_, 4, static_cast<sqlite3_int64>(cp.size));
  bind_text(put_checkpoint_, 5, cp.status == CheckpointStatus::kDone ? "done" : "partial");
  sqlite3_bind_int64(put_checkpoint_, 6, static_cast<sqlite3_int64>(cp.records_committed));
  sqlite3_bind_int64(put_checkpoint_, 7, to_micros(cp.updated_at));
  if (sqlite3_step(put_checkpoint_) != SQLITE_DONE)
    throw StateError("saving checkpoint for " + cp.key + ": " + sqlite3_errmsg(db_));
}

std::vector<bool> SqliteStateStore::delivered_since(std::span<const FindingVersion> versions,
                                                    Timestamp since) {
  std::vector<bool> delivered(versions.size(), false);
  if (versions.empty()) return delivered;
  MutexLock lock(mutex_);
  // One read transaction for the lot: one snapshot and one WAL read lock, not one per version.
  const bool several = versions.size() > 1;
  if (several) exec("BEGIN");
  try {
    for (size_t i = 0; i < versions.size(); ++i) {
      Reset reset(get_delivered_);
      bind_text(get_delivered_, 1, versions[i].id);
      bind_text(get_delivered_, 2, versions[i].updated_at);
      sqlite3_bind_int64(get_delivered_, 3, to_micros(since));
      int rc = sqlite3_step(get_delivered_);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        throw StateError("reading dedupe window: " + std::string(sqlite3_errmsg(db_)));
      delivered[i] = rc == SQLITE_ROW;
    }
    if (several) exec("COMMIT");
  } catch (...) {
    if (several) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return delivered;
}

void SqliteStateStore::each_delivered_since(Timestamp since, const DeliveredVisitor& visit) {
  MutexLock lock(mutex_);
  sqlite3_stmt* stmt = scan_delivered_;
  Reset reset(stmt);
  sqlite3_bind_int64(stmt, 1, to_micros(since));
  auto text = [stmt](int column) {
    const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
    return std::string_view(bytes, static_cast<size_t>(sqlite3_column_bytes(stmt, column)));
  };
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) visit(text(0), text(1));
  if (rc != SQLITE_DONE)
    throw StateError("reading dedupe window: " + std::string(sqlite3_errmsg(db_)));
}

void SqliteStateStore::remember_delivered(std::span<const FindingVersion> versions, Timestamp at) {
  if (versions.empty()) return;
  MutexLock lock(mutex_);
  exec("BEGIN IMMEDIATE");
  try {
    for (const FindingVersion& v : versions) {
      Reset reset(put_delivered_);
      bind_text(put_delivered_, 1, v.id);
      bind_text(put_delivered_, 2, v.updated_at);
      sqlite3_bind_int64(put_delivered_, 3, to_micros(at));
      if (sqlite3_step(put_delivered_) != SQLITE_DONE)
        throw StateError("recording delivered findings: " + std::string(sqlite3_errmsg(db_)));
    }
    exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

uint64_t SqliteStateStore::forget_delivered_before(Timestamp before) {
  MutexLock lock(mutex_);
  Reset reset(prune_delivered_);
  sqlite3_bind_int64(prune_delivered_, 1, to_micros(before));
  if (sqlite3_step(prune_delivered_) != SQLITE_DONE)
    throw StateError("pruning dedupe window: " + std::string(sqlite3_errmsg(db_)));
  return static_cast<uint64_t>(sqlite3_changes(db_));
}

std::optional<DeadLetterMark> SqliteStateStore::dead_letter_mark(std::string_view line_sha256,
                                                                 uint64_t ordinal) {
  MutexLock lock(mutex_);
  Reset reset(get_replay_);
  bind_text(get_replay_, 1, line_sha256);
  sqlite3_bind_int64(get_replay_, 2, static_cast<sqlite3_int64>(ordinal));
  int rc = sqlite3_step(get_replay_);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW)
    throw StateError("reading dead-letter replay marks: " + std::string(sqlite3_errmsg(db_)));
  DeadLetterMark mark;
  mark.line_sha256 = line_sha256;
  mark.ordinal = ordinal;
  if (sqlite3_column_type(get_replay_, 0) != SQLITE_NULL)
    mark.replayed_at = from_micros(sqlite3_column_int64(get_replay_, 0));
  mark.attempted_at = from_micros(sqlite3_column_int64(get_replay_, 1));
  mark.attempts = static_cast<uint64_t>(sqlite3_column_int64(get_replay_, 2));
  mark.last_failure = reinterpret_cast<const char*>(sqlite3_column_text(get_replay_, 3));
  return mark;
}

void SqliteStateStore::record_replay(std::string_view line_sha256, uint64_t ordinal, Timestamp at,
                                     std::string_view failure) {
  MutexLock lock(mutex_);
  Reset reset(put_replay_);
  bind_text(put_replay_, 1, line_sha256);
  sqlite3_bind_int64(put_replay_, 2, static_cast<sqlite3_int64>(ordinal));
  sqlite3_bind_int64(put_replay_, 3, to_micros(at));
  // An empty view may have no data pointer, which SQLite would bind as NULL.
  bind_text(put_replay_, 4, failure.empty() ? std::string_view("") : failure);
  if (sqlite3_step(put_replay_) != SQLITE_DONE)
    throw StateError("recording a dead-letter replay: " + std::string(sqlite3_errmsg(db_)));
}

}  // namespace gd2s
