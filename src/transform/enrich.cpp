#include "transform/enrich.h"

#include <cctype>
#include <set>

#include "transform/finding_type.h"
#include "transform/mitre.h"

namespace gd2s {
namespace {

void append_unique(std::string& list, std::string_view item) {
  if (item.empty()) return;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    size_t end = comma == std::string::npos ? list.size() : comma;
    if (std::string_view(list).substr(pos, end - pos) == item) return;
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (!list.empty()) list += ',';
  list += item;
}

// Attack sequences name their tactics and techniques in the description:
//   "- 5 MITRE ATT&CK tactics observed: Persistence, Privilege Escalation, ..."
//   "- 5 MITRE ATT&CK techniques observed: T1562.008 - Impair Defenses: ..., T1098 - ..."
void read_sequence_mitre(std::string_view description, Enrichment& out) {
  static const std::set<std::string, std::less<>> kSentinelTactics = {
      "InitialAccess",     "Execution", "Persistence",     "PrivilegeEscalation", "DefenseEvasion",
      "CredentialAccess",  "Discovery", "LateralMovement", "Collection",          "Exfiltration",
      "CommandAndControl", "Impact",    "Reconnaissance",  "ResourceDevelopment"};
  size_t at = description.find("tactics observed:");
  if (at != std::string_view::npos) {
    size_t end = description.find('\n', at);
    std::string_view list = description.substr(
        at + 17, end == std::string_view::npos ? std::string_view::npos : end - at - 17);
    std::string name;
    auto flush = [&] {
      if (kSentinelTactics.contains(name)) append_unique(out.tactics, name);
      name.clear();
    };
    for (char c : list) {
      if (c == ',') {
        flush();
      } else if (std::isalpha(static_cast<unsigned char>(c))) {
        name += c;  // "Privilege Escalation" → "PrivilegeEscalation"
      }
    }
    flush();
  }
  for (size_t i = 0; i + 5 <= description.size(); ++i) {
    if (description[i] != 'T' ||
        (i > 0 && std::isalnum(static_cast<unsigned char>(description[i - 1]))))
      continue;
    size_t j = i + 1;
    while (j < description.size() && j - i <= 4 &&
           std::isdigit(static_cast<unsigned char>(description[j])))
      ++j;
    if (j - i != 5) continue;
    if (j + 4 <= description.size() && description[j] == '.' &&
        std::isdigit(static_cast<unsigned char>(description[j + 1])) &&
        std::isdigit(static_cast<unsigned char>(description[j + 2])) &&
        std::isdigit(static_cast<unsigned char>(description[j + 3])))
      j += 4;
    if (j < description.size() && std::isalnum(static_cast<unsigned char>(description[j])))
      continue;
    append_unique(out.techniques, description.substr(i, j - i));
  }
}

}  // namespace

Enrichment enrich(const Finding& finding) {
  Enrichment out;
  out.band = severity_band(finding.severity);
  out.severity_label = severity_label(out.band);
  out.threat_purpose = split_finding_type(finding.type).threat_purpose;
  // Attack sequences say which tactics and techniques GuardDuty saw; the table is the fallback.
  if (out.threat_purpose == "AttackSequence") read_sequence_mitre(finding.description, out);
  if (out.tactics.empty()) {
    if (const MitreRule* rule = mitre_rule_for(finding.type)) {
      out.tactics = rule->tactics;
      out.techniques = rule->techniques;
    }
  }
  return out;
}

}  // namespace gd2s
