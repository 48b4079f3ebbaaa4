#include "transform/delivered_keys.h"

#include <functional>
#include <stdexcept>
#include <utility>

namespace gd2s {
namespace {

uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

VersionKey version_key(std::string_view id, std::string_view updated_at) {
  const uint64_t a = std::hash<std::string_view>{}(id);
  const uint64_t b = std::hash<std::string_view>{}(updated_at);
  // The golden-ratio multiply keeps (id, time) and (time, id) apart before the mix.
  const uint64_t mixed = mix(a * 0x9e3779b97f4a7c15ULL ^ mix(b));
  const auto key = static_cast<VersionKey>(mixed ^ (mixed >> 32));
  return key != 0 ? key : 1;  // 0 marks an empty slot
}

size_t DeliveredKeys::find_slot(VersionKey key) const {
  // Keys are mixed hashes already: their low bits spread well.
  const size_t mask = slots_.size() - 1;
  size_t i = static_cast<size_t>(key) & mask;
  while (slots_[i] != kEmpty && slots_[i] != key) i = (i + 1) & mask;
  return i;
}

bool DeliveredKeys::insert(VersionKey key) {
  if (key == kEmpty) throw std::invalid_argument("DeliveredKeys: 0 is not a key");
  // At most 80% full after this insert, so a probe always ends at an empty slot.
  if ((size_ + 1) * 5 > slots_.size() * 4) grow();
  size_t i = find_slot(key);
  if (slots_[i] == key) return false;
  slots_[i] = key;
  ++size_;
  return true;
}

bool DeliveredKeys::contains(VersionKey key) const {
  if (size_ == 0 || key == kEmpty) return false;
  return slots_[find_slot(key)] == key;
}

void DeliveredKeys::clear() {
  std::vector<VersionKey>().swap(slots_);
  size_ = 0;
}

void DeliveredKeys::grow() {
  std::vector<VersionKey> old(slots_.empty() ? kMinCapacity : slots_.size() * 2, kEmpty);
  old.swap(slots_);
  for (VersionKey key : old)
    if (key != kEmpty) slots_[find_slot(key)] = key;
}

}  // namespace gd2s
