#pragma once
// A blocking multi-producer multi-consumer queue bounded by a cost (bytes, rows), so memory
// stays flat whatever the input size: producers wait while it is full.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <optional>
#include <utility>
#include <vector>

#include "core/mutex.h"

namespace gd2s {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  /// Blocks while the queue is over capacity; an item larger than the capacity still goes in
  /// once the queue is empty. Returns false (dropping nothing: the item is left with the
  /// caller) when the queue is closed.
  bool push(T& item, size_t cost) {
    MutexLock lock(mutex_);
    if (!put(lock, item, cost)) return false;
    not_empty_.notify_one();
    return true;
  }

  /// push() for each item in turn, under one lock: a consumer is woken once for the lot rather
  /// than once per item. `cost(item)` gives each item's cost. Returns false when the queue is
  /// closed; the items not yet taken are then left with the caller.
  template <typename CostOf>
  bool push_all(std::vector<T>& items, CostOf cost_of) {
    MutexLock lock(mutex_);
    for (T& item : items) {
      if (!put(lock, item, cost_of(item))) return false;
    }
    not_empty_.notify_all();
    return true;
  }

  /// Blocks until an item arrives; nullopt once the queue is closed and empty.
  std::optional<T> pop() {
    MutexLock lock(mutex_);
    not_empty_.wait(lock.native(), [&]() REQUIRES(mutex_) { return closed_ || !items_.empty(); });
    return take(lock);
  }

  /// Blocks until an item arrives, then moves up to `max` waiting items to the end of `out`.
  /// False (and nothing moved) once the queue is closed and empty.
  bool pop_some(std::vector<T>& out, size_t max) {
    MutexLock lock(mutex_);
    not_empty_.wait(lock.native(), [&]() REQUIRES(mutex_) { return closed_ || !items_.empty(); });
    return take_some(out, max) > 0;
  }

  /// Like pop_some, but gives up after `timeout`; returns how many items it moved (0 then too;
  /// check closed_and_empty()).
  template <typename Rep, typename Period>
  size_t pop_some_for(std::vector<T>& out, size_t max, std::chrono::duration<Rep, Period> timeout) {
    MutexLock lock(mutex_);
    not_empty_.wait_for(lock.native(), timeout,
                        [&]() REQUIRES(mutex_) { return closed_ || !items_.empty(); });
    return take_some(out, max);
  }

  /// No more pushes; consumers drain what is left.
  void close() {
    MutexLock lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  bool closed_and_empty() const {
    MutexLock lock(mutex_);
    return closed_ && items_.empty();
  }

  size_t cost() const {
    MutexLock lock(mutex_);
    return used_;
  }

 private:
  std::optional<T> take(MutexLock&) REQUIRES(mutex_) {
    if (items_.empty()) return std::nullopt;
    auto [item, cost] = std::move(items_.front());
    items_.pop_front();
    used_ -= cost;
    not_full_.notify_all();
    return std::move(item);
  }

  // Waits for room (waking consumers first, so items already put can make it), then queues.
  bool put(MutexLock& lock, T& item, size_t cost) REQUIRES(mutex_) {
    auto room = [&]() REQUIRES(mutex_) -> bool {
      return closed_ || used_ == 0 || used_ + cost <= capacity_;
    };
    if (!room()) {
      not_empty_.notify_all();
      not_full_.wait(lock.native(), room);
    }
    if (closed_) return false;
    items_.emplace_back(std::move(item), cost);
    used_ += cost;
    return true;
  }

  size_t take_some(std::vector<T>& out, size_t max) REQUIRES(mutex_) {
    size_t n = std::min(max, items_.size());
    for (size_t i = 0; i < n; ++i) {
      out.push_back(std::move(items_.front().first));
      used_ -= items_.front().second;
      items_.pop_front();
    }
    if (n > 0) not_full_.notify_all();
    return n;
  }

  const size_t capacity_;
  mutable Mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<std::pair<T, size_t>> items_ GUARDED_BY(mutex_);
  size_t used_ GUARDED_BY(mutex_) = 0;
  bool closed_ GUARDED_BY(mutex_) = false;
};

}  // namespace gd2s
