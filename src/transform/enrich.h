#pragma once
// What gd2sentinel adds to a finding where the schema has room: the severity label, the threat
// purpose, and MITRE ATT&CK tactics (Sentinel's names) and techniques (REFERENCE §12).

#include <string>
#include <string_view>

#include "core/finding.h"
#include "transform/severity.h"

namespace gd2s {

struct Enrichment {
  SeverityBand band = SeverityBand::kLow;
  std::string_view severity_label;  // "Low", "Medium", "High", "Critical"
  std::string_view threat_purpose;  // from the type; may be empty
  std::string tactics;              // comma-separated Sentinel tactic names, e.g. "InitialAccess"
  std::string techniques;           // comma-separated ATT&CK ids, e.g. "T1110,T1078.004"
};

Enrichment enrich(const Finding& finding);

}  // namespace gd2s
