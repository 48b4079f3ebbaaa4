#pragma once
// Drops findings on purpose: below a severity, by type, sample and archived findings.

#include <optional>
#include <string>
#include <vector>

#include "core/finding.h"

namespace gd2s {

struct FilterOptions {
  double min_severity = 0.0;
  std::vector<std::string> include_types{"*"};
  std::vector<std::string> exclude_types;
  bool drop_sample = true;
  bool drop_archived = true;
};

class FindingFilter {
 public:
  explicit FindingFilter(FilterOptions options) : options_(std::move(options)) {}

  /// Why the finding is dropped, or nullopt to keep it.
  std::optional<std::string> drop_reason(const Finding& finding) const;

 private:
  FilterOptions options_;
};

}  // namespace gd2s
