#pragma once
// Points in time as GuardDuty writes them, and the one text form we write back.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gd2s {

/// A UTC instant with microsecond resolution (finer digits in the input are dropped).
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// Parses the ISO-8601 forms seen in findings: "2022-11-17T09:33:19.224Z", "2016-08-02T02:05:06Z",
/// offsets ("+02:00"), a space instead of 'T', up to nine fraction digits, and no zone (read as
/// UTC).
std::optional<Timestamp> parse_iso8601(std::string_view text);

/// Epoch seconds (possibly fractional, as GuardDuty writes model `timestamp` members) to an
/// instant.
std::optional<Timestamp> from_epoch_seconds(double seconds);

/// "2022-11-17T09:33:19.224Z": milliseconds always, microseconds when they are not zero.
std::string format_iso8601(Timestamp t);
/// The same, appended to `out` (no string of its own: rows write two or more a finding).
void append_iso8601(std::string& out, Timestamp t);

/// "Mon, 04 Apr 2016 08:00:00 GMT" (RFC 1123), as HTTP dates are written.
std::string format_rfc1123(std::chrono::sys_seconds t);

Timestamp now_utc();

}  // namespace gd2s
