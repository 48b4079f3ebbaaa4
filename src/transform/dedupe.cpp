#include "transform/dedupe.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

namespace gd2s {

Dedupe::~Dedupe() {
  try {
    flush();
  } catch (const std::exception& error) {
    spdlog::warn(
        "dedupe window: could not write the last versions delivered ({}); their units did not "
        "commit and are sent again by the next run",
        error.what());
  } catch (...) {
    spdlog::warn("dedupe window: could not write the last versions delivered");
  }
}

std::vector<bool> Dedupe::find_duplicates(std::span<const FindingVersion> versions) {
  std::vector<bool> duplicate(versions.size(), false);
  if (!enabled() || versions.empty()) return duplicate;
  std::vector<VersionKey> keys(versions.size());
  for (size_t i = 0; i < versions.size(); ++i) keys[i] = key(versions[i]);

  // The lock spans the store read, so a version moving from in flight to staged to written is
  // always seen as one of them (delivered() and flush() move it under the lock).
  MutexLock lock(mutex_);
  if (!loaded_) load();
  // Known keys not explained by a version in memory: the state store decides (a hit may be
  // another version with the same key, or one delivered before the window began).
  std::vector<size_t> to_confirm;
  std::vector<FindingVersion> confirm;
  for (size_t i = 0; i < versions.size(); ++i) {
    if (!keys_.contains(keys[i])) continue;
    if (unwritten(versions[i])) {
      duplicate[i] = true;
    } else {
      to_confirm.push_back(i);
      confirm.push_back(versions[i]);
    }
  }
  if (!confirm.empty()) {
    std::vector<bool> stored = store_.delivered_since(confirm, now_utc() - window_);
    for (size_t j = 0; j < to_confirm.size(); ++j) duplicate[to_confirm[j]] = stored[j];
  }
  for (size_t i = 0; i < versions.size(); ++i)
    if (!duplicate[i]) duplicate[i] = !in_flight_.insert(versions[i]).second;
  return duplicate;
}

void Dedupe::delivered(std::span<const FindingVersion> versions) {
  if (!enabled() || versions.empty()) return;
  std::vector<VersionKey> keys(versions.size());
  for (size_t i = 0; i < versions.size(); ++i) keys[i] = key(versions[i]);
  bool full = false;
  {
    MutexLock lock(mutex_);
    for (size_t i = 0; i < versions.size(); ++i) {
      keys_.insert(keys[i]);
      if (auto reserved = in_flight_.extract(versions[i]))
        staged_.insert(std::move(reserved));
      else
        staged_.insert(versions[i]);
    }
    full = staged_.size() >= kFlushAt;
  }
  if (full) flush();
}

void Dedupe::abandoned(const FindingVersion& version) {
  if (!enabled()) return;
  MutexLock lock(mutex_);
  in_flight_.erase(version);
}

void Dedupe::flush() {
  if (!enabled()) return;
  {
    MutexLock lock(mutex_);
    if (staged_.empty() && !writing_) return;  // all in the store already
  }
  MutexLock one_at_a_time(flush_mutex_);  // waits for a write under way, which may hold ours
  std::shared_ptr<const VersionSet> batch;
  {
    MutexLock lock(mutex_);
    if (staged_.empty()) return;
    batch = std::make_shared<const VersionSet>(std::move(staged_));
    staged_.clear();  // a moved-from set is valid but unspecified
    writing_ = batch;
  }
  // Written without mutex_: the workers keep answering from memory meanwhile, and see these
  // versions in writing_ until they are in the store.
  try {
    std::vector<FindingVersion> rows(batch->begin(), batch->end());
    store_.remember_delivered(rows, now_utc());
  } catch (...) {
    MutexLock lock(mutex_);
    staged_.insert(batch->begin(), batch->end());
    writing_.reset();
    throw;
  }
  MutexLock lock(mutex_);
  writing_.reset();
}

uint64_t Dedupe::prune() {
  if (!enabled()) return 0;
  uint64_t forgotten = store_.forget_delivered_before(now_utc() - window_);
  if (forgotten > 0) {
    MutexLock lock(mutex_);
    if (loaded_) load();  // else the first use reads what is left
  }
  return forgotten;
}

void Dedupe::load() {
  // Built aside and then swapped in (the store calls back into a lambda, which the analysis
  // cannot see is under our lock).
  DeliveredKeys keys;
  store_.each_delivered_since(now_utc() - window_,
                              [&keys, hash = hash_](std::string_view id, std::string_view at) {
                                keys.insert(hash(id, at));
                              });
  for (const FindingVersion& v : staged_) keys.insert(key(v));
  if (writing_)
    for (const FindingVersion& v : *writing_) keys.insert(key(v));
  keys_ = std::move(keys);
  loaded_ = true;
}

bool Dedupe::unwritten(const FindingVersion& v) const {
  return staged_.contains(v) || (writing_ && writing_->contains(v));
}

size_t Dedupe::keys_in_memory() const {
  MutexLock lock(mutex_);
  return keys_.size();
}

size_t Dedupe::memory_bytes() const {
  MutexLock lock(mutex_);
  return keys_.memory_bytes();
}

size_t Dedupe::staged() const {
  MutexLock lock(mutex_);
  return staged_.size();
}

}  // namespace gd2s
