#pragma once
// MITRE ATT&CK mapping of GuardDuty finding types: REFERENCE §12.4 (ThreatPurpose → Sentinel
// tactic) refined by §12.6 (CTID technique mappings). First matching rule wins.

#include <span>
#include <string>
#include <string_view>

namespace gd2s {

struct MitreRule {
  std::string_view type_glob;  // matched against the whole finding type
  std::string_view tactics;    // comma-separated Sentinel tactic names
  std::string_view techniques;
};

std::span<const MitreRule> mitre_rules();

/// The rule for a finding type; nullptr when none applies (Policy, Object, unknown purposes).
const MitreRule* mitre_rule_for(std::string_view finding_type);

}  // namespace gd2s

namespace gd2s {

/// The rules as the KQL `| extend _M = case(...)` step of the GuardDutyFindings parser:
/// each glob becomes an anchored `ActivityType matches regex`, each result a
/// dynamic({"ta": [tactics], "te": [techniques]}).
std::string mitre_rules_as_kql();

}  // namespace gd2s
