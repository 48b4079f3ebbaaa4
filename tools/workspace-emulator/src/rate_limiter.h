// Per-rule request and data rates over a sliding minute (REFERENCE.md §8.2:
// 12,000 requests and 2 GB per minute per DCR), answering how long to wait.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include "config.h"
#include "thread_annotations.h"

namespace wsemu {

class RateLimiter {
 public:
  /// Admits one request of `bytes` at `now_ms` under `limits`, or returns the
  /// whole seconds to wait before it would be admitted (nothing is recorded then).
  std::int64_t admit(const std::string& key, const RateLimits& limits, std::int64_t bytes, std::int64_t now_ms);

 private:
  struct Window {
    std::deque<std::pair<std::int64_t, std::int64_t>> entries;  // (time ms, bytes)
    std::int64_t bytes = 0;
  };
  Mutex mutex_;
  std::map<std::string, Window> windows_ GUARDED_BY(mutex_);
};

}  // namespace wsemu
