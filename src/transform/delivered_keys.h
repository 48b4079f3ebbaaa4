#pragma once
// The dedupe window in memory: one 64-bit key per finding version delivered, in a flat
// open-addressing table (power-of-two capacity, linear probing, at most 80% full, doubling as it
// grows). Eight bytes a slot and no allocation per key: 400,000 versions fit in 4 MiB.
//
// A key is a hash, so a hit only says "maybe delivered"; Dedupe confirms every hit exactly. A
// miss is exact: a version whose key is not here was not delivered.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace gd2s {

/// The key of the version (finding id, updatedAt); never 0. A function pointer so that a test
/// can force two versions onto one key.
using VersionHash = uint64_t (*)(std::string_view id, std::string_view updated_at);

/// std::hash of each string, combined and mixed (the SplitMix64 finaliser).
uint64_t version_key(std::string_view id, std::string_view updated_at);

class DeliveredKeys {
 public:
  DeliveredKeys() = default;

  /// Adds `key` (not 0); false when it was already here.
  bool insert(uint64_t key);
  bool contains(uint64_t key) const;
  /// Empties the table and gives its memory back.
  void clear();

  size_t size() const { return size_; }
  /// Slots in the table: 0 while empty, else a power of two.
  size_t capacity() const { return slots_.size(); }
  size_t memory_bytes() const { return slots_.size() * sizeof(uint64_t); }

 private:
  static constexpr size_t kMinCapacity = 1024;
  static constexpr uint64_t kEmpty = 0;

  void grow();
  // The slot holding `key`, or the empty one where it would go.
  size_t find_slot(uint64_t key) const;

  std::vector<uint64_t> slots_;
  size_t size_ = 0;
};

}  // namespace gd2s
