#include "rate_limiter.h"

#include <algorithm>

namespace wsemu {

std::int64_t RateLimiter::admit(const std::string& key, const RateLimits& limits, std::int64_t bytes,
                                std::int64_t now_ms) {
  if (limits.requests_per_minute <= 0 && limits.bytes_per_minute <= 0) return 0;
  constexpr std::int64_t kWindowMs = 60000;
  MutexLock lock(mutex_);
  Window& window = windows_[key];
  while (!window.entries.empty() && window.entries.front().first <= now_ms - kWindowMs) {
    window.bytes -= window.entries.front().second;
    window.entries.pop_front();
  }
  auto seconds_until = [&](std::int64_t expiry_ms) {
    return std::max<std::int64_t>(1, (expiry_ms - now_ms + 999) / 1000);
  };
  if (limits.requests_per_minute > 0 &&
      static_cast<std::int64_t>(window.entries.size()) >= limits.requests_per_minute) {
    return seconds_until(window.entries.front().first + kWindowMs);
  }
  if (limits.bytes_per_minute > 0 && window.bytes + bytes > limits.bytes_per_minute) {
    if (bytes > limits.bytes_per_minute) return 60;
    std::int64_t remaining = window.bytes;
    for (const auto& [time, size] : window.entries) {
      remaining -= size;
      if (remaining + bytes <= limits.bytes_per_minute) return seconds_until(time + kWindowMs);
    }
    return 60;
  }
  window.entries.emplace_back(now_ms, bytes);
  window.bytes += bytes;
  return 0;
}

}  // namespace wsemu
