#pragma once
// Where Logstash's s3 input left off (logstash-integration-aws lib/logstash/inputs/s3.rb): it
// skips every object with last_modified <= the sincedb's time, reads the rest in LastModified
// order, and writes the object's LastModified to the sincedb (Ruby Time#to_s,
// "2026-09-14 10:22:33 UTC") after each one. An empty sincedb reads as Time 0.

#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace gd2s::migrate {

/// The sincedb file Logstash uses when `sincedb_path` is not set:
/// {path.data}/plugins/inputs/s3/sincedb_ + MD5 hex of "#{bucket}+#{prefix}".
std::string default_sincedb_path(const std::string& data_dir, const std::string& bucket,
                                 const std::string& prefix);

/// The times Ruby writes and Time.parse reads back: "2026-09-14 10:22:33 UTC",
/// "2026-09-14 05:22:33 -0500", "… +0000", and ISO 8601 ("2026-09-14T10:22:33Z",
/// "2026-09-14T12:22:33.5+02:00"). No zone is read as UTC.
std::optional<Timestamp> parse_ruby_time(const std::string& text);

/// "2026-09-14T10:22:33Z": RFC 3339 in UTC, with the fraction of a second only when there is one.
std::string format_rfc3339(Timestamp t);

struct SincedbReading {
  std::string path;
  std::optional<Timestamp> time;  // none: the file was empty (Logstash reads Time 0)
  std::string text;               // the line as written
  Timestamp written{};            // the file's modification time
};

/// Reads a sincedb; throws std::runtime_error naming the file when it cannot be read or parsed.
SincedbReading read_sincedb(const std::string& path);

}  // namespace gd2s::migrate
