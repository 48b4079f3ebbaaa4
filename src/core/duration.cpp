#include "core/duration.h"

#include <array>
#include <cstdint>
#include <utility>

namespace gd2s {
namespace {

constexpr std::array<std::pair<std::string_view, int64_t>, 5> kUnits{
    {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    int64_t number = 0;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      number = number * 10 + (text[pos] - '0');
      if (number > kMaxDuration.count()) return std::nullopt;
      ++pos;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
    size_t unit_start = pos;
    while (pos < text.size() && text[pos] >= 'a' && text[pos] <= 'z') ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    bool known = false;
    for (auto [name, millis] : kUnits) {
      if (unit == name) {
        // number <= kMaxDuration in ms, so the product stays far inside int64_t.
        if (number > kMaxDuration.count() / millis) return std::nullopt;
        total += number * millis;
        if (total > kMaxDuration.count()) return std::nullopt;
        known = true;
        break;
      }
    }
    if (!known) return std::nullopt;
  }
  return Duration{total};
}

std::string format_duration(Duration d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  for (auto it = kUnits.rbegin(); it != kUnits.rend(); ++it) {
    if (it->second == 1 && !out.empty() && ms == 0) break;
    int64_t n = ms / it->second;
    if (n > 0) {
      out += std::to_string(n);
      out += it->first;
      ms -= n * it->second;
    }
  }
  return out;
}

}  // namespace gd2s
