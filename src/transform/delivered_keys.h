#pragma once
// The dedupe window in memory: one 32-bit key per finding version delivered, in a flat
// open-addressing table (power-of-two capacity, linear probing, at most 80% full, doubling as it
// grows). Four bytes a slot and no allocation per key: 400,000 versions fit in 2 MiB.
//
// A key is a hash, so a hit only says "maybe delivered"; Dedupe confirms every hit exactly (with
// 400,000 keys held, about one new version in 10,000 shares a key with one of them and costs a
// state-store read). A miss is exact: a version whose key is not here was not delivered.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace gd2s {

using VersionKey = uint32_t;

/// The key of the version (finding id, updatedAt); never 0. A function pointer so that a test
/// can force two versions onto one key.
using VersionHash = VersionKey (*)(std::string_view id, std::string_view updated_at);

/// std::hash of each string, combined and mixed (the SplitMix64 finaliser), folded to 32 bits.
VersionKey version_key(std::string_view id, std::string_view updated_at);

class DeliveredKeys {
 public:
  DeliveredKeys() = default;

  /// Adds `key` (not 0); false when it was already here.
  bool insert(VersionKey key);
  bool contains(VersionKey key) const;
  /// Empties the table and gives its memory back.
  void clear();

  size_t size() const { return size_; }
  /// Slots in the table: 0 while empty, else a power of two.
  size_t capacity() const { return slots_.size(); }
  size_t memory_bytes() const { return slots_.size() * sizeof(VersionKey); }

 private:
  static constexpr size_t kMinCapacity = 1024;
  static constexpr VersionKey kEmpty = 0;

  void grow();
  // The slot holding `key`, or the empty one where it would go.
  size_t find_slot(VersionKey key) const;

  std::vector<VersionKey> slots_;
  size_t size_ = 0;
};

}  // namespace gd2s
