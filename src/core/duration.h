#pragma once
// Durations as the config writes them: "500ms", "30s", "5m", "1h30m", "7d".

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gd2s {

using Duration = std::chrono::milliseconds;

/// The longest duration any option takes: 100 years. Longer ones overflow clock arithmetic
/// (a time point minus a window, in nanoseconds), so they are refused rather than wrapped.
inline constexpr Duration kMaxDuration = std::chrono::hours(24 * 36500);

/// Parses one or more <integer><unit> parts, units ms, s, m, h, d; nullopt on anything else
/// and on a total over kMaxDuration.
std::optional<Duration> parse_duration(std::string_view text);

/// The shortest text that parse_duration reads back to the same value ("7d", "90s", "1h30m").
std::string format_duration(Duration d);

}  // namespace gd2s
