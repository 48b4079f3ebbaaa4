#include "sources/s3_listing/source.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "http/retry.h"
#include "sources/s3_listing/layout.h"
#include "sources/unit_reader.h"

namespace gd2s {

bool in_shard(std::string_view key, uint32_t index, uint32_t count) {
  if (count <= 1) return true;
  uint64_t hash = 1469598103934665603ull;  // FNV-1a: stable across processes and builds
  for (char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash % count == index;
}

std::string listing_start_after(const std::string& base, const std::string& since,
                                std::optional<Timestamp> modified_after) {
  // Every key of an earlier day sorts before base + "Y/M/D"; that day's keys sort after it.
  if (since.size() == 10)
    return base + since.substr(0, 4) + "/" + since.substr(5, 2) + "/" + since.substr(8, 2);
  if (!modified_after) return "";
  auto day = std::chrono::floor<std::chrono::days>(*modified_after) - std::chrono::days(1);
  std::chrono::year_month_day date{day};
  char folder[16];
  std::snprintf(folder, sizeof folder, "%04d/%02u/%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return base + folder;
}

S3ListingSource::S3ListingSource(S3ListingOptions options, aws::S3Client& s3, StateStore& state)
    : options_(std::move(options)), s3_(s3), state_(state) {
  if (!options_.prefix.empty() && !options_.prefix.ends_with('/')) options_.prefix += '/';
}

S3ListingSource::~S3ListingSource() = default;

SourceTotals S3ListingSource::totals() const {
  return SourceTotals{opened_.load(), committed_.load(), abandoned_.load(), expected_.load()};
}

void S3ListingSource::run(RecordEmitter& out, std::stop_token stop) {
  std::vector<std::thread> workers;
  for (size_t i = 0; i < std::max<size_t>(1, options_.max_concurrent_objects); ++i)
    workers.emplace_back([this, &out, stop] { worker(out, stop); });
  // A one-pass run also counts what it will read, ahead of the pipelined listing, so progress
  // can say how much is left. It costs one LIST per 1,000 keys.
  started_ = now_utc() - std::chrono::seconds(1);  // checkpoint times have second precision
  std::jthread counter;
  if (options_.once)
    counter = std::jthread([this, stop] {
      try {
        list_pass(stop, true);
        if (!stop.stop_requested()) expected_.store(counted_.load());
      } catch (const std::exception& error) {
        spdlog::debug("s3://{}/{}: counting for progress failed: {}", options_.bucket,
                      options_.prefix, error.what());
      }
    });
  std::exception_ptr failure;
  for (;;) {
    try {
      list_pass(stop);
    } catch (const std::exception& error) {
      if (options_.once) {
        failure = std::current_exception();
      } else {
        spdlog::error("s3://{}/{}: listing failed: {}; trying again in {}", options_.bucket,
                      options_.prefix, error.what(), format_duration(options_.interval));
      }
    }
    if (options_.once || failure || stop.stop_requested()) break;
    if (!http::sleep_for(options_.interval, stop)) break;
  }
  {
    MutexLock lock(mutex_);
    listing_done_ = true;
  }
  changed_.notify_all();
  for (auto& worker : workers) worker.join();
  if (failure) std::rethrow_exception(failure);
}

bool S3ListingSource::read_before(const aws::S3Object& object) const {
  if (!options_.modified_after) return false;
  std::optional<Timestamp> modified = parse_iso8601(object.last_modified);
  return modified && *modified <= *options_.modified_after;  // unreadable dates: read it
}

void S3ListingSource::list_pass(std::stop_token stop, bool count_only) {
  for (const std::string& folder : region_folders(s3_, options_.bucket, options_.prefix,
                                                  options_.accounts, options_.regions, stop)) {
    if (stop.stop_requested()) return;
    list_prefix(folder, stop, count_only);
  }
}

void S3ListingSource::list_prefix(const std::string& base, std::stop_token stop, bool count_only) {
  aws::ListRequest request{options_.bucket, base, "", "", "", 1000};
  request.start_after = listing_start_after(base, options_.since, options_.modified_after);
  uint64_t counted = 0;
  do {
    aws::ListPage page = s3_.list_objects_v2(request, stop);
    for (aws::S3Object& object : page.objects) {
      if (!count_only) listed_.fetch_add(1, std::memory_order_relaxed);
      if (object.key.ends_with('/') ||
          !in_shard(object.key, options_.shard_index, options_.shard_count) || read_before(object))
        continue;
      std::string unit_key = options_.bucket + "/" + object.key;
      if (count_only) {
        auto cp = state_.checkpoint(name(), unit_key);
        // Objects this run already committed count too: the two passes run side by side.
        if (!cp || cp->version != object.etag || cp->status != CheckpointStatus::kDone ||
            cp->updated_at >= started_)
          ++counted;
        continue;
      }
      {
        MutexLock lock(mutex_);
        if (in_flight_.contains(object.key)) continue;
      }
      uint64_t skip = 0;
      if (auto cp = state_.checkpoint(name(), unit_key); cp && cp->version == object.etag) {
        if (cp->status == CheckpointStatus::kDone) continue;
        skip = cp->records_committed;
      }
      enqueue(Work{std::move(object), skip}, stop);
      if (stop.stop_requested()) return;
    }
    request.continuation_token = page.truncated ? page.next_continuation_token : "";
  } while (!request.continuation_token.empty() && !stop.stop_requested());
  if (count_only) counted_.fetch_add(counted);
}

void S3ListingSource::enqueue(Work work, std::stop_token stop) {
  // Listing runs ahead of reading by at most two objects per reader: pipelined, not buffered.
  MutexLock lock(mutex_);
  while (queue_.size() >= 2 * std::max<size_t>(1, options_.max_concurrent_objects) &&
         !stop.stop_requested())
    changed_.wait_for(lock.native(), std::chrono::milliseconds(100));
  if (stop.stop_requested()) return;
  in_flight_.insert(work.object.key);
  queue_.push_back(std::move(work));
  changed_.notify_all();
}

void S3ListingSource::worker(RecordEmitter& out, std::stop_token stop) {
  for (;;) {
    Work work;
    {
      MutexLock lock(mutex_);
      while (queue_.empty() && !listing_done_ && !stop.stop_requested())
        changed_.wait_for(lock.native(), std::chrono::milliseconds(100));
      if (stop.stop_requested() || queue_.empty()) {
        // Objects listed but never opened are simply listed again by the next run.
        for (const Work& left : queue_) in_flight_.erase(left.object.key);
        queue_.clear();
        return;
      }
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    changed_.notify_all();
    read_object(work, out, stop);
  }
}

void S3ListingSource::finished(const std::string& key) {
  MutexLock lock(mutex_);
  in_flight_.erase(key);
}

void S3ListingSource::read_object(const Work& work, RecordEmitter& out, std::stop_token stop) {
  const aws::S3Object& object = work.object;
  std::string unit_key = options_.bucket + "/" + object.key;
  auto commit = [this, unit_key, object](const UnitOfWork& unit, UnitOfWork::Ending ending) {
    uint64_t records = unit.skipped_records() + unit.counts().emitted;
    bool done = ending == UnitOfWork::Ending::kComplete;
    state_.save_checkpoint(UnitCheckpoint{
        std::string(name()), unit_key, object.etag, object.size,
        done ? CheckpointStatus::kDone : CheckpointStatus::kPartial, records, now_utc()});
    committed_.fetch_add(1);
    finished(object.key);
    spdlog::debug("s3://{}: committed {} records{}", unit_key, records,
                  done ? "" : " (stopped early)");
  };
  auto unit =
      std::make_shared<UnitOfWork>(std::string(name()), "s3://" + unit_key, work.skip, commit);
  opened_.fetch_add(1);
  auto abandon = [&](const std::string& why, bool error) {
    unit->seal(UnitOfWork::Ending::kAbandoned);
    abandoned_.fetch_add(1);
    finished(object.key);
    if (error)
      spdlog::error("s3://{}: {}; it is read again on the next pass", unit_key, why);
    else
      spdlog::warn("s3://{}: {}; it is read again on the next pass", unit_key, why);
  };
  try {
    auto bytes = s3_.get_object(options_.bucket, object.key, object.etag, object.size, stop);
    read_unit(unit, *bytes, out, stop);
  } catch (const aws::ServiceError& error) {
    if (error.code() == "NoSuchKey") {
      // Deleted between listing and reading: nothing is lost by marking it done.
      spdlog::warn("s3://{}: deleted after it was listed; nothing to read", unit_key);
      unit->seal(UnitOfWork::Ending::kComplete);
    } else {
      abandon(error.what(), error.code() != "PreconditionFailed");
    }
  } catch (const TransportError& error) {
    if (!unit->committed()) abandon(error.what(), false);
  } catch (const std::exception& error) {
    abandon(error.what(), true);
  }
}

}  // namespace gd2s
