#pragma once
// Reads one TOML table into typed options, collecting every problem with its key and line,
// and naming the nearest known key for one that is not.

#include <toml++/toml.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"
#include "core/duration.h"
#include "core/secret.h"

namespace gd2s {

/// The known key closest to `unknown` by edit distance, or empty when none is close.
std::string did_you_mean(std::string_view unknown, std::span<const std::string_view> known);

class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, std::vector<ConfigIssue>& issues)
      : table_(table), prefix_(std::move(prefix)), issues_(issues) {}

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

  int line_of(std::string_view key) const;
  std::string full_key(std::string_view key) const;
  void issue(std::string_view key, std::string message);

 private:
  const toml::node* lookup(std::string_view key);

  const toml::table& table_;
  std::string prefix_;
  std::vector<ConfigIssue>& issues_;
  std::vector<std::string_view> known_;
};

}  // namespace gd2s
