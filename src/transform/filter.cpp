#include "transform/filter.h"

#include <fmt/format.h>

#include "transform/finding_type.h"

namespace gd2s {

std::optional<std::string> FindingFilter::drop_reason(const Finding& finding) const {
  if (options_.drop_sample && finding.sample) return "sample finding (drop_sample)";
  if (options_.drop_archived && finding.archived) return "archived finding (drop_archived)";
  if (finding.severity < options_.min_severity)
    return fmt::format("severity {} is below min_severity {}", finding.severity,
                       options_.min_severity);
  bool included = false;
  for (const std::string& pattern : options_.include_types) {
    if (glob_match(pattern, finding.type)) {
      included = true;
      break;
    }
  }
  if (!included) return fmt::format("type {} matches no include_types pattern", finding.type);
  for (const std::string& pattern : options_.exclude_types)
    if (glob_match(pattern, finding.type))
      return fmt::format("type {} matches exclude_types pattern {}", finding.type, pattern);
  return std::nullopt;
}

}  // namespace gd2s
