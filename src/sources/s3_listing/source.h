#pragma once
// [source.s3_listing]: walks [prefix/]AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/ with
// ListObjectsV2 and reads each object once. Every object's state (ETag, size, status, records
// committed) is kept in the state store — never a single timestamp — so a restart neither
// re-reads committed objects nor skips objects that share a LastModified second; a half-done
// object resumes after its committed records; a changed ETag is read again.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "aws/s3_client.h"
#include "core/duration.h"
#include "core/mutex.h"
#include "core/time.h"
#include "sources/source.h"
#include "state/state_store.h"

namespace gd2s {

struct S3ListingOptions {
  std::string bucket;
  std::string prefix;  // what comes before AWSLogs/
  Duration interval = std::chrono::seconds(60);
  std::string since;  // "YYYY-MM-DD": date folders before it are skipped; empty for all
  std::vector<std::string> accounts;  // empty: all found
  std::vector<std::string> regions;   // empty: all found
  uint32_t shard_index = 0;
  uint32_t shard_count = 1;
  size_t max_concurrent_objects = 8;
  bool once = false;  // one pass, then end when everything listed is committed
  /// Objects whose LastModified is at or before it are not read: neither queued nor committed,
  /// skipped on every pass (where another reader, such as Logstash, left off).
  std::optional<Timestamp> modified_after;
};

/// The key a date folder's listing starts after: `base` + "YYYY/MM/DD" of `since`, else of the
/// day before `modified_after` (GuardDuty files an object under the day it writes it, and that
/// day may lag the object's LastModified across midnight), else empty (the whole folder).
std::string listing_start_after(const std::string& base, const std::string& since,
                                std::optional<Timestamp> modified_after);

/// Whether `key` belongs to shard `index` of `count` (a stable hash, the same in every process).
bool in_shard(std::string_view key, uint32_t index, uint32_t count);

class S3ListingSource final : public Source {
 public:
  S3ListingSource(S3ListingOptions options, aws::S3Client& s3, StateStore& state);
  ~S3ListingSource() override;

  std::string_view name() const override { return "s3_listing"; }
  void run(RecordEmitter& out, std::stop_token stop) override;
  SourceTotals totals() const override;

 private:
  struct Work {
    aws::S3Object object;
    uint64_t skip = 0;
  };

  // count_only: count the objects to read instead of queueing them (the progress line's total).
  void list_pass(std::stop_token stop, bool count_only = false);
  void list_prefix(const std::string& base, std::stop_token stop, bool count_only);
  void enqueue(Work work, std::stop_token stop) EXCLUDES(mutex_);
  // Whether modified_after says another reader already read this object.
  bool read_before(const aws::S3Object& object) const;
  void worker(RecordEmitter& out, std::stop_token stop);
  void read_object(const Work& work, RecordEmitter& out, std::stop_token stop);
  void finished(const std::string& key) EXCLUDES(mutex_);

  S3ListingOptions options_;
  aws::S3Client& s3_;
  StateStore& state_;

  Mutex mutex_;
  std::condition_variable changed_;
  std::deque<Work> queue_ GUARDED_BY(mutex_);
  std::set<std::string> in_flight_ GUARDED_BY(mutex_);  // listed, not yet finished
  bool listing_done_ GUARDED_BY(mutex_) = false;

  std::atomic<uint64_t> opened_{0};
  std::atomic<uint64_t> committed_{0};
  std::atomic<uint64_t> abandoned_{0};
  std::atomic<uint64_t> listed_{0};
  std::atomic<uint64_t> expected_{0};  // set once the counting pass is complete
  std::atomic<uint64_t> counted_{0};
  Timestamp started_{};
};

}  // namespace gd2s
