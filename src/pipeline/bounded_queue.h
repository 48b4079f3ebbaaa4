#pragma once
// A blocking multi-producer multi-consumer queue bounded by a cost (bytes, rows), so memory
// stays flat whatever the input size: producers wait while it is full.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace gd2s {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  /// Blocks while the queue is over capacity; an item larger than the capacity still goes in
  /// once the queue is empty. Returns false (dropping nothing: the item is left with the
  /// caller) when the queue is closed.
  bool push(T& item, size_t cost) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || used_ == 0 || used_ + cost <= capacity_; });
    if (closed_) return false;
    items_.emplace_back(std::move(item), cost);
    used_ += cost;
    not_empty_.notify_one();
    return true;
  }

  /// Blocks until an item arrives; nullopt once the queue is closed and empty.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    return take(lock);
  }

  /// Like pop, but gives up after `timeout` (nullopt then too; check closed_and_empty()).
  template <typename Rep, typename Period>
  std::optional<T> pop_for(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock lock(mutex_);
    not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
    return take(lock);
  }

  /// No more pushes; consumers drain what is left.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  bool closed_and_empty() const {
    std::lock_guard lock(mutex_);
    return closed_ && items_.empty();
  }

  size_t cost() const {
    std::lock_guard lock(mutex_);
    return used_;
  }

 private:
  std::optional<T> take(std::unique_lock<std::mutex>&) {
    if (items_.empty()) return std::nullopt;
    auto [item, cost] = std::move(items_.front());
    items_.pop_front();
    used_ -= cost;
    not_full_.notify_all();
    return std::move(item);
  }

  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<std::pair<T, size_t>> items_;
  size_t used_ = 0;
  bool closed_ = false;
};

}  // namespace gd2s
