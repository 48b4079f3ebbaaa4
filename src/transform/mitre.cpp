#include "transform/mitre.h"

#include <array>

#include "transform/finding_type.h"

namespace gd2s {
namespace {

// Specific types first, then each threat purpose's default. Sources in REFERENCE §12.4–12.6.
constexpr std::array kRules = std::to_array<MitreRule>({
    {"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration*", "CredentialAccess,Exfiltration",
     "T1552.005"},
    {"UnauthorizedAccess:EC2/SSHBruteForce", "InitialAccess,CredentialAccess", "T1110"},
    {"UnauthorizedAccess:EC2/RDPBruteForce", "InitialAccess,CredentialAccess", "T1110"},
    {"UnauthorizedAccess:IAMUser/ConsoleLoginSuccess*", "InitialAccess", "T1078.004"},
    {"UnauthorizedAccess:EC2/TorClient", "CommandAndControl", "T1090"},
    {"UnauthorizedAccess:EC2/TorRelay", "CommandAndControl,Impact", "T1090,T1496"},
    {"UnauthorizedAccess:EC2/MetadataDNSRebind", "InitialAccess", "T1190"},
    {"UnauthorizedAccess:S3/*", "Collection", "T1530"},
    {"UnauthorizedAccess:EC2/MaliciousIPCaller*", "CommandAndControl", "T1071"},
    {"UnauthorizedAccess:*", "InitialAccess", "T1078"},
    {"Backdoor:*/DenialOfService*", "Impact", "T1498"},
    {"Backdoor:*", "CommandAndControl", "T1071"},
    {"CryptoCurrency:*", "Impact", "T1496"},
    {"Impact:EC2/BitcoinDomainRequest*", "Impact", "T1496"},
    {"Impact:EC2/PortSweep", "Discovery,Reconnaissance", "T1046,T1595"},
    {"Impact:EC2/WinRMBruteForce", "Impact,CredentialAccess", "T1110"},
    {"Impact:EC2/*DomainRequest*", "CommandAndControl", "T1071"},
    {"Impact:S3/*", "Impact", "T1485"},
    {"Impact:*", "Impact", ""},
    {"Trojan:*/DropPoint*", "Exfiltration,CommandAndControl", "T1071"},
    {"Trojan:*/DriveBySourceTraffic*", "InitialAccess", "T1189"},
    {"Trojan:*/DNSDataExfiltration*", "Exfiltration", "T1048"},
    {"Trojan:*/DGADomainRequest*", "CommandAndControl", "T1568.002"},
    {"Trojan:*/PhishingDomainRequest*", "InitialAccess", "T1566"},
    {"Trojan:*", "CommandAndControl", "T1071"},
    {"Stealth:*", "DefenseEvasion", "T1562"},
    {"Recon:EC2/Port*", "Discovery,Reconnaissance", "T1046,T1595"},
    {"Recon:IAMUser/*", "Discovery", "T1526"},
    {"Recon:*", "Discovery", "T1046"},
    {"PenTest:*", "Discovery", "T1580"},
    {"Policy:IAMUser/RootCredentialUsage", "InitialAccess,PrivilegeEscalation", "T1078"},
    {"Behavior:EC2/NetworkPortUnusual", "CommandAndControl", "T1571"},
    {"Behavior:EC2/TrafficVolumeUnusual", "Exfiltration", "T1020"},
    {"Exfiltration:S3/*", "Exfiltration,Collection", "T1530"},
    {"Exfiltration:*", "Exfiltration", ""},
    {"Discovery:*", "Discovery", "T1580"},
    {"Persistence:*", "Persistence", "T1098"},
    {"DefenseEvasion:*", "DefenseEvasion", "T1562"},
    {"PrivilegeEscalation:*", "PrivilegeEscalation", ""},
    {"CredentialAccess:*", "CredentialAccess", ""},
    {"InitialAccess:*", "InitialAccess", ""},
    {"Execution:Runtime/ReverseShell", "Execution", "T1059"},
    {"Execution:*", "Execution", ""},
});

}  // namespace

std::span<const MitreRule> mitre_rules() {
  return kRules;
}

const MitreRule* mitre_rule_for(std::string_view finding_type) {
  for (const MitreRule& rule : kRules)
    if (glob_match(rule.type_glob, finding_type)) return &rule;
  return nullptr;
}

}  // namespace gd2s
