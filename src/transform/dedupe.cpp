#include "transform/dedupe.h"

namespace gd2s {

bool Dedupe::is_duplicate(const FindingVersion& version) {
  if (!enabled()) return false;
  std::lock_guard lock(mutex_);
  if (in_flight_.contains(version)) return true;
  if (store_.delivered_since(version, now_utc() - window_)) return true;
  in_flight_.insert(version);
  return false;
}

void Dedupe::delivered(std::span<const FindingVersion> versions) {
  if (!enabled() || versions.empty()) return;
  store_.remember_delivered(versions, now_utc());
  std::lock_guard lock(mutex_);
  for (const FindingVersion& v : versions) in_flight_.erase(v);
}

void Dedupe::abandoned(const FindingVersion& version) {
  if (!enabled()) return;
  std::lock_guard lock(mutex_);
  in_flight_.erase(version);
}

uint64_t Dedupe::prune() {
  if (!enabled()) return 0;
  return store_.forget_delivered_before(now_utc() - window_);
}

}  // namespace gd2s
