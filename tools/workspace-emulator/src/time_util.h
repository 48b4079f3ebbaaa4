// Calendar helpers: RFC 1123 HTTP dates, ISO 8601 date-times, epoch seconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsemu {

/// Seconds since 1970-01-01T00:00:00Z (system clock).
std::int64_t now_epoch_seconds();

/// Days since the epoch of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

/// "Mon, 04 Apr 2016 08:00:00 GMT" → epoch seconds. Strict RFC 1123 form.
std::optional<std::int64_t> parse_http_date(std::string_view text);

/// Epoch seconds → "Mon, 04 Apr 2016 08:00:00 GMT".
std::string format_http_date(std::int64_t epoch_seconds);

/// Epoch seconds → "2016-04-04T08:00:00Z".
std::string format_iso8601(std::int64_t epoch_seconds);

/// Epoch seconds → "2016-04-04 08:00:00Z", the shape Entra uses in error timestamps.
std::string format_entra_timestamp(std::int64_t epoch_seconds);

/// Parses an ISO 8601 date-time: "YYYY-MM-DDThh:mm[:ss[.fff…]][Z|±hh:mm]"
/// ('T' or a space between date and time). Returns epoch seconds; a missing
/// zone means UTC.
std::optional<std::int64_t> parse_iso8601(std::string_view text);

}  // namespace wsemu
