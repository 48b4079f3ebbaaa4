#pragma once
// The finding type grammar: ThreatPurpose:ResourceTypeAffected/ThreatFamilyName... (REFERENCE
// §2.2). Split at the first ':' and the first '/' after it; the rest is opaque.

#include <string_view>

namespace gd2s {

struct FindingTypeParts {
  std::string_view threat_purpose;          // "UnauthorizedAccess"; empty if there is no ':'
  std::string_view resource_type_affected;  // "EC2"
  std::string_view threat_name;             // "SSHBruteForce", "C&CActivity.B!DNS", ...
};

FindingTypeParts split_finding_type(std::string_view type);

/// Shell-style glob with '*' and '?' (finding types contain '!', '&' and '.', matched literally).
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace gd2s
