#include "transform/dedupe.h"

namespace gd2s {

std::vector<bool> Dedupe::find_duplicates(std::span<const FindingVersion> versions) {
  std::vector<bool> duplicate(versions.size(), false);
  if (!enabled() || versions.empty()) return duplicate;
  // The lock spans the read, so a version moving from in flight to delivered (delivered()
  // records it, then lifts the reservation) is always seen as one or the other.
  MutexLock lock(mutex_);
  std::vector<bool> delivered = store_.delivered_since(versions, now_utc() - window_);
  for (size_t i = 0; i < versions.size(); ++i)
    duplicate[i] = delivered[i] || !in_flight_.insert(versions[i]).second;
  return duplicate;
}

void Dedupe::delivered(std::span<const FindingVersion> versions) {
  if (!enabled() || versions.empty()) return;
  store_.remember_delivered(versions, now_utc());
  MutexLock lock(mutex_);
  for (const FindingVersion& v : versions) in_flight_.erase(v);
}

void Dedupe::abandoned(const FindingVersion& version) {
  if (!enabled()) return;
  MutexLock lock(mutex_);
  in_flight_.erase(version);
}

uint64_t Dedupe::prune() {
  if (!enabled()) return 0;
  return store_.forget_delivered_before(now_utc() - window_);
}

}  // namespace gd2s
