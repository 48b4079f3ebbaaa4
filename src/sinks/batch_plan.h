#pragma once
// How rows are cut into requests: each request body is a JSON array "[row,row,…]" of at most
// `max_bytes` bytes, rows in their order. A row that cannot fit even alone is set aside.

#include <cstddef>
#include <span>
#include <vector>

namespace gd2s {

/// Bytes of the JSON array holding `count` rows of `row_bytes` bytes in total.
constexpr size_t json_array_bytes(size_t row_bytes, size_t count) {
  return count == 0 ? 2 : 2 + row_bytes + (count - 1);
}

/// Counts the bytes of the array being built, one row at a time.
class BatchBudget {
 public:
  explicit BatchBudget(size_t max_bytes) : max_bytes_(max_bytes) {}
  /// Not even alone: "[" + row + "]" is over the limit.
  bool too_large(size_t row_bytes) const { return json_array_bytes(row_bytes, 1) > max_bytes_; }
  /// The row fits beside what is already counted.
  bool fits(size_t row_bytes) const {
    return json_array_bytes(rows_ + row_bytes, count_ + 1) <= max_bytes_;
  }
  void add(size_t row_bytes) {
    rows_ += row_bytes;
    ++count_;
  }
  void reset() { rows_ = count_ = 0; }
  size_t count() const { return count_; }
  size_t bytes() const { return json_array_bytes(rows_, count_); }
  size_t max_bytes() const { return max_bytes_; }

 private:
  size_t max_bytes_;
  size_t rows_ = 0;
  size_t count_ = 0;
};

/// One step of a plan: the rows [begin, end) as one request, or (oversize) the single row
/// `begin` that no request can carry.
struct PlannedBatch {
  size_t begin = 0;
  size_t end = 0;
  bool oversize = false;
};

/// Cuts rows of the given sizes, in order, into as few requests as greedy filling gives.
std::vector<PlannedBatch> plan_batches(std::span<const size_t> row_sizes, size_t max_bytes);

}  // namespace gd2s
