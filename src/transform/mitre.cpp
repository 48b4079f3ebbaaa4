#include "transform/mitre.h"

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "transform/finding_type.h"

namespace gd2s {
namespace {

// Specific types first, then each threat purpose's default; the first match wins. Sources:
// REFERENCE §12.4–12.6. Where a technique is listed, every tactic it belongs to is listed too,
// as Sentinel's template validation requires. The parser function in content/ carries the same
// table as KQL, generated from this one (`gd2sentinel mitre --format kql`) and checked by a test.
constexpr std::array kRules = std::to_array<MitreRule>({
    {"*InstanceCredentialExfiltration*",
     "CredentialAccess,InitialAccess,Persistence,PrivilegeEscalation,DefenseEvasion",
     "T1552.005,T1078.004"},
    {"*MetadataDNSRebind*", "CredentialAccess,InitialAccess", "T1552.005,T1190"},
    {"*BruteForce*", "CredentialAccess", "T1110"},
    {"*TorRelay*", "Impact,CommandAndControl", "T1496,T1090.003"},
    {"CryptoCurrency:*", "Impact", "T1496"},
    {"*BitcoinDomainRequest*", "Impact", "T1496"},
    {"*CryptoMiner*", "Impact", "T1496"},
    {"*TorClient*", "CommandAndControl", "T1090.003"},
    {"*DenialOfService*", "Impact", "T1498"},
    {"*Spambot*", "Impact", ""},
    {"*DGADomainRequest*", "CommandAndControl", "T1568.002"},
    {"*DNSDataExfiltration*", "Exfiltration", "T1048"},
    {"*DropPoint*", "Exfiltration,CommandAndControl", "T1041,T1071"},
    {"*DriveBySourceTraffic*", "InitialAccess", "T1189"},
    {"*PhishingDomainRequest*", "InitialAccess", "T1566"},
    {"*ReverseShell*", "Execution,CommandAndControl", "T1059"},
    {"Backdoor:*", "CommandAndControl", "T1071"},
    {"Trojan:*", "CommandAndControl", "T1071"},
    {"UnauthorizedAccess:EC2/MaliciousIPCaller.Custom", "CommandAndControl", "T1071"},
    {"*MaliciousDomainRequest*", "Impact,CommandAndControl", "T1071"},
    {"*SuspiciousDomainRequest*", "Impact,CommandAndControl", "T1071"},
    {"*AbusedDomainRequest*", "Impact", ""},
    {"*PortProbe*", "Reconnaissance,PreAttack", "T1595"},
    {"*PortSweep*", "Impact,Discovery", "T1046"},
    {"Recon:IAMUser/*", "Discovery", "T1526"},
    {"Recon:*", "Discovery", "T1046"},
    {"PenTest:*", "Discovery", "T1580"},
    {"*RootCredentialUsage*", "InitialAccess,Persistence,PrivilegeEscalation,DefenseEvasion",
     "T1078.004"},
    {"Policy:*", "", ""},
    {"Object:*", "", ""},
    {"*CloudTrailLoggingDisabled*", "DefenseEvasion", "T1562.008"},
    {"*ServerAccessLoggingDisabled*", "DefenseEvasion", "T1562.008"},
    {"Stealth:*", "DefenseEvasion", "T1562"},
    {"DefenseEvasion:IAMUser/*", "DefenseEvasion", "T1562"},
    {"*NetworkPortUnusual*", "CommandAndControl", "T1571"},
    {"*TrafficVolumeUnusual*", "Exfiltration", "T1048"},
    {"Behavior:*", "", ""},
    {"UnauthorizedAccess:S3/*", "Collection", "T1530"},
    {"Exfiltration:S3/*", "Exfiltration,Collection", "T1537,T1530"},
    {"Impact:S3/*", "Impact", "T1485,T1565.001"},
    {"Discovery:S3/*", "Discovery", "T1580"},
    {"UnauthorizedAccess:IAMUser/*", "InitialAccess,Persistence,PrivilegeEscalation,DefenseEvasion",
     "T1078.004"},
    {"UnauthorizedAccess:*", "InitialAccess", ""},
    {"Persistence:IAMUser/*", "Persistence,PrivilegeEscalation", "T1098"},
    {"PrivilegeEscalation:IAMUser/*",
     "PrivilegeEscalation,InitialAccess,Persistence,DefenseEvasion", "T1078.004"},
    {"Discovery:IAMUser/*", "Discovery", "T1580"},
    {"Impact:IAMUser/*", "Impact", "T1485,T1531"},
    {"*ContainerWithSensitiveMount*", "Persistence,PrivilegeEscalation", "T1611"},
    {"*PrivilegedContainer*", "PrivilegeEscalation", "T1611"},
    {"*ContainerMountsHostDirectory*", "PrivilegeEscalation", "T1611"},
    {"*DockerSocketAccessed*", "PrivilegeEscalation", "T1611"},
    {"*RuncContainerEscape*", "PrivilegeEscalation", "T1611"},
    {"*CGroupsReleaseAgentModified*", "PrivilegeEscalation", "T1611"},
    {"*MaliciousFile*", "Execution", "T1204"},
    {"AttackSequence:IAM/*",
     "InitialAccess,Persistence,PrivilegeEscalation,DefenseEvasion,Discovery", "T1078.004"},
    {"AttackSequence:S3/*", "Discovery,Collection,Exfiltration,Impact", "T1530,T1485"},
    {"AttackSequence:EKS/*", "Execution,PrivilegeEscalation,Impact", "T1611"},
    {"AttackSequence:ECS/*", "Execution,PrivilegeEscalation,Impact", "T1611"},
    {"AttackSequence:*", "Execution,CommandAndControl,Impact", ""},
    {"InitialAccess:*", "InitialAccess", ""},
    {"Execution:*", "Execution", ""},
    {"Persistence:*", "Persistence", ""},
    {"PrivilegeEscalation:*", "PrivilegeEscalation", ""},
    {"DefenseEvasion:*", "DefenseEvasion", ""},
    {"CredentialAccess:*", "CredentialAccess", ""},
    {"Discovery:*", "Discovery", ""},
    {"LateralMovement:*", "LateralMovement", ""},
    {"Collection:*", "Collection", ""},
    {"Exfiltration:*", "Exfiltration", ""},
    {"CommandAndControl:*", "CommandAndControl", ""},
    {"Impact:*", "Impact", ""},
    {"Reconnaissance:*", "Reconnaissance", ""},
    {"ResourceDevelopment:*", "ResourceDevelopment", ""},
});

}  // namespace

std::span<const MitreRule> mitre_rules() {
  return kRules;
}

namespace {

// '*' → ".*", '?' → "."; regex metacharacters escaped; anchors only where the glob has no star.
std::string glob_to_regex(std::string_view glob) {
  std::string re;
  size_t begin = 0, end = glob.size();
  if (begin < end && glob[begin] == '*')
    ++begin;
  else
    re += '^';
  bool open_end = end > begin && glob[end - 1] == '*';
  if (open_end) --end;
  for (size_t i = begin; i < end; ++i) {
    char c = glob[i];
    if (c == '*') {
      re += ".*";
    } else if (c == '?') {
      re += '.';
    } else {
      if (std::string_view("\\.^$|()[]{}+").find(c) != std::string_view::npos) re += '\\';
      re += c;
    }
  }
  if (!open_end) re += '$';
  return re;
}

std::string kql_array(std::string_view comma_list) {
  std::string out = "[";
  size_t pos = 0;
  while (pos < comma_list.size()) {
    size_t comma = comma_list.find(',', pos);
    if (comma == std::string_view::npos) comma = comma_list.size();
    if (out.size() > 1) out += ", ";
    out += '"';
    out += comma_list.substr(pos, comma - pos);
    out += '"';
    pos = comma + 1;
  }
  return out + "]";
}

}  // namespace

std::string mitre_rules_as_kql() {
  std::string out = "| extend _M = case(\n";
  for (const MitreRule& rule : kRules) {
    out += "    ActivityType matches regex @\"" + glob_to_regex(rule.type_glob) +
           "\", dynamic({\"ta\": " + kql_array(rule.tactics) +
           ", \"te\": " + kql_array(rule.techniques) + "}),\n";
  }
  out += "    dynamic({\"ta\": [], \"te\": []}))\n";
  return out;
}

namespace {

const MitreRule* first_matching_rule(std::string_view finding_type) {
  for (const MitreRule& rule : kRules)
    if (glob_match(rule.type_glob, finding_type)) return &rule;
  return nullptr;
}

struct TypeHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace

const MitreRule* mitre_rule_for(std::string_view finding_type) {
  // Matching a type against every rule's glob was ~3 % of the pipeline's CPU; GuardDuty has a
  // few hundred types, so each thread remembers its answers. Bounded, whatever the input.
  constexpr size_t kMaxRemembered = 1024;
  thread_local std::unordered_map<std::string, const MitreRule*, TypeHash, std::equal_to<>> seen;
  if (auto it = seen.find(finding_type); it != seen.end()) return it->second;
  const MitreRule* rule = first_matching_rule(finding_type);
  if (seen.size() < kMaxRemembered) seen.emplace(finding_type, rule);
  return rule;
}

}  // namespace gd2s
