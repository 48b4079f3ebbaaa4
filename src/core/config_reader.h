#pragma once
// Reads one TOML table into typed options, collecting every problem with its key and line,
// and naming the nearest known key for one that is not. Each component reads its own table
// with this, from the options it documents beside the reader (OptionDoc).

#include <toml++/toml.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/duration.h"
#include "core/secret.h"

namespace gd2s {

/// One thing wrong with the file, tied to the key that has it.
struct ConfigIssue {
  std::string key;  // dotted: "transform.min_severity"
  int line = 0;     // 0 when the key is absent
  std::string message;
  /// "config.toml:12: transform.min_severity: must be a number, not a string"
  [[nodiscard]] std::string format(const std::string& file) const;
};

/// One key of a config table as docs/configuration.md's table for it writes the key, its type and
/// its default. Kept beside the code that reads the key; a reader refuses to read a key its
/// table does not list, and a test holds the lists and that page to each other.
struct OptionDoc {
  std::string_view key;
  std::string_view type;
  std::string_view fallback;  // the "default" column
};

/// The documented options of one table, "source.sqs" or "aws".
struct TableDoc {
  std::string table;
  std::span<const OptionDoc> options;
};

// Shapes of values that several tables check.
/// "YYYY-MM-DD", a real date.
[[nodiscard]] bool is_date(const std::string& text);
/// RFC 3339 in UTC: "2026-09-14T10:22:33Z", with an optional fraction of a second.
[[nodiscard]] bool is_utc_time(const std::string& text);
/// Starts with https:// or http://.
[[nodiscard]] bool is_url(const std::string& text);
/// 8-4-4-4-12 hex digits.
[[nodiscard]] bool is_guid(std::string_view text);
[[nodiscard]] std::string to_lower(std::string text);

/// The known key closest to `unknown` by edit distance, or empty when none is close.
std::string did_you_mean(std::string_view unknown, std::span<const std::string_view> known);

class TableReader {
 public:
  /// `options`: the keys this table may hold (a read of any other is a programming error).
  TableReader(const toml::table& table, std::string prefix, std::span<const OptionDoc> options,
              std::vector<ConfigIssue>& issues)
      : table_(table), prefix_(std::move(prefix)), options_(options), issues_(issues) {}

  void read(std::string_view key, std::string& out);
  void read(std::string_view key, bool& out);
  void read(std::string_view key, double& out);
  void read(std::string_view key, int64_t& out);
  void read(std::string_view key, std::vector<std::string>& out);
  void read(std::string_view key, Duration& out);
  /// A string that must be one of `allowed`.
  void read_choice(std::string_view key, std::string& out,
                   std::span<const std::string_view> allowed);
  /// A secret: "env:NAME", "file:/path", or (discouraged) the value itself; resolved now.
  void read_secret(std::string_view key, Secret& out);
  /// A key this reader does not read itself but that is allowed (a sub-table read elsewhere).
  void allow(std::string_view key) { known_.push_back(key); }

  /// Reports every key of the table that no read() named.
  void finish();

  [[nodiscard]] int line_of(std::string_view key) const;
  [[nodiscard]] std::string full_key(std::string_view key) const;
  void issue(std::string_view key, std::string message);

 private:
  const toml::node* lookup(std::string_view key);

  const toml::table& table_;
  std::string prefix_;
  std::span<const OptionDoc> options_;
  std::vector<ConfigIssue>& issues_;
  std::vector<std::string_view> known_;
};

}  // namespace gd2s
