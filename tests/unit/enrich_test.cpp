#include "transform/enrich.h"

#include <gtest/gtest.h>

#include <set>

#include "decode/finding_decoder.h"
#include "transform/finding_type.h"
#include "transform/mitre.h"

namespace gd2s {
namespace {

TEST(Severity, BandsFollowGuardDutyRanges) {
  EXPECT_EQ(severity_band(1.0), SeverityBand::kLow);
  EXPECT_EQ(severity_band(3.9), SeverityBand::kLow);
  EXPECT_EQ(severity_band(4.0), SeverityBand::kMedium);
  EXPECT_EQ(severity_band(6.9), SeverityBand::kMedium);
  EXPECT_EQ(severity_band(7.0), SeverityBand::kHigh);
  EXPECT_EQ(severity_band(8.9), SeverityBand::kHigh);
  EXPECT_EQ(severity_band(9.0), SeverityBand::kCritical);
  EXPECT_EQ(severity_band(10.0), SeverityBand::kCritical);
  EXPECT_EQ(severity_label(SeverityBand::kCritical), "Critical");
}

TEST(Severity, IntegerSeverityStaysInItsBand) {
  EXPECT_EQ(severity_as_int(3.9), 3);
  EXPECT_EQ(severity_as_int(6.9), 6);
  EXPECT_EQ(severity_as_int(8.9), 8);
  EXPECT_EQ(severity_as_int(9.0), 9);
  for (double s = 1.0; s <= 10.0; s += 0.1)
    EXPECT_EQ(severity_band(severity_as_int(s)), severity_band(s)) << s;
}

TEST(FindingType, SplitsAtTheFirstColonAndSlash) {
  auto parts = split_finding_type("Backdoor:EC2/C&CActivity.B!DNS");
  EXPECT_EQ(parts.threat_purpose, "Backdoor");
  EXPECT_EQ(parts.resource_type_affected, "EC2");
  EXPECT_EQ(parts.threat_name, "C&CActivity.B!DNS");
  auto odd = split_finding_type(
      "Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount");
  EXPECT_EQ(odd.threat_name, "AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount");
  EXPECT_EQ(split_finding_type("NoColon").threat_purpose, "");
}

TEST(Glob, MatchesStarsAndQuestionMarks) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("UnauthorizedAccess:*", "UnauthorizedAccess:EC2/SSHBruteForce"));
  EXPECT_TRUE(glob_match("*:EC2/*", "Backdoor:EC2/C&CActivity.B!DNS"));
  EXPECT_TRUE(glob_match("Trojan:EC2/DGADomainRequest.?", "Trojan:EC2/DGADomainRequest.B"));
  EXPECT_FALSE(glob_match("Trojan:*", "Backdoor:EC2/x"));
  EXPECT_FALSE(glob_match("*!DNS", "Backdoor:EC2/C&CActivity.B"));
}

Enrichment enrich_type(const std::string& type, double severity = 5,
                       const std::string& description = "") {
  std::string text =
      R"({"schemaVersion":"2.0","accountId":"1","region":"r","id":"i","arn":"a","type":")" + type +
      R"(","resource":{},"severity":)" + std::to_string(severity) +
      R"(,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z","description":)" +
      "\"" + description + "\"}";
  static FindingDecoder decoder;  // the enrichment views the decoder's memory
  auto result = decoder.decode(text);
  return enrich(std::get<Finding>(result));
}

TEST(Enrich, LabelsSeverityAndThreatPurpose) {
  Enrichment e = enrich_type("CryptoCurrency:EC2/BitcoinTool.B!DNS", 9.5);
  EXPECT_EQ(e.severity_label, "Critical");
  EXPECT_EQ(e.threat_purpose, "CryptoCurrency");
  EXPECT_EQ(e.tactics, "Impact");
  EXPECT_EQ(e.techniques, "T1496");
}

TEST(Enrich, MapsEachThreatPurposeToSentinelTactics) {
  struct Case {
    const char* type;
    const char* tactics;
    const char* techniques;
  } cases[] = {
      {"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
       "CredentialAccess,InitialAccess,Persistence,PrivilegeEscalation,DefenseEvasion",
       "T1552.005,T1078.004"},
      {"UnauthorizedAccess:EC2/SSHBruteForce", "CredentialAccess", "T1110"},
      {"Backdoor:EC2/C&CActivity.B!DNS", "CommandAndControl", "T1071"},
      {"Backdoor:EC2/DenialOfService.Tcp", "Impact", "T1498"},
      {"Trojan:EC2/DGADomainRequest.B", "CommandAndControl", "T1568.002"},
      {"Trojan:EC2/DropPoint!DNS", "Exfiltration,CommandAndControl", "T1041,T1071"},
      {"Stealth:IAMUser/CloudTrailLoggingDisabled", "DefenseEvasion", "T1562.008"},
      {"Stealth:IAMUser/PasswordPolicyChange", "DefenseEvasion", "T1562"},
      {"Recon:EC2/PortProbeUnprotectedPort", "Reconnaissance,PreAttack", "T1595"},
      {"Recon:IAMUser/MaliciousIPCaller", "Discovery", "T1526"},
      {"PenTest:IAMUser/KaliLinux", "Discovery", "T1580"},
      {"Policy:IAMUser/RootCredentialUsage",
       "InitialAccess,Persistence,PrivilegeEscalation,DefenseEvasion", "T1078.004"},
      {"Policy:S3/BucketBlockPublicAccessDisabled", "", ""},
      {"Behavior:EC2/NetworkPortUnusual", "CommandAndControl", "T1571"},
      {"Exfiltration:S3/AnomalousBehavior", "Exfiltration,Collection", "T1537,T1530"},
      {"Impact:S3/AnomalousBehavior.Delete", "Impact", "T1485,T1565.001"},
      {"Persistence:IAMUser/AnomalousBehavior", "Persistence,PrivilegeEscalation", "T1098"},
      {"Execution:Runtime/ReverseShell", "Execution,CommandAndControl", "T1059"},
      {"Execution:Kubernetes/ExecInKubeSystemPod", "Execution", ""},
      {"Object:S3/MaliciousFile", "", ""},
      {"Unheard:EC2/Something", "", ""},
  };

  for (const Case& c : cases) {
    Enrichment e = enrich_type(c.type);
    EXPECT_EQ(e.tactics, c.tactics) << c.type;
    EXPECT_EQ(e.techniques, c.techniques) << c.type;
  }
}

TEST(Enrich, EveryRuleUsesValidSentinelTacticsAndTechniqueIds) {
  const std::set<std::string> valid = {
      "InitialAccess",     "Execution", "Persistence",     "PrivilegeEscalation", "DefenseEvasion",
      "CredentialAccess",  "Discovery", "LateralMovement", "Collection",          "Exfiltration",
      "CommandAndControl", "Impact",    "Reconnaissance",  "ResourceDevelopment", "PreAttack"};
  for (const MitreRule& rule : mitre_rules()) {
    std::string tactics(rule.tactics);
    for (size_t pos = 0; pos < tactics.size();) {
      size_t end = tactics.find(',', pos);
      if (end == std::string::npos) end = tactics.size();
      EXPECT_TRUE(valid.contains(tactics.substr(pos, end - pos))) << rule.type_glob;
      pos = end + 1;
    }
    std::string techniques(rule.techniques);
    for (size_t pos = 0; pos < techniques.size();) {
      size_t end = techniques.find(',', pos);
      if (end == std::string::npos) end = techniques.size();
      std::string id = techniques.substr(pos, end - pos);
      EXPECT_TRUE(id.size() == 5 || (id.size() == 9 && id[5] == '.')) << id;
      EXPECT_EQ(id[0], 'T') << id;
      pos = end + 1;
    }
  }
}

TEST(Enrich, ReadsAttackSequenceTacticsAndTechniquesFromTheDescription) {
  Enrichment e = enrich_type(
      "AttackSequence:IAM/CompromisedCredentials", 9,
      "A sequence was observed:\\n  - 3 MITRE ATT&CK tactics observed: Persistence, Privilege "
      "Escalation, Defense Evasion\\n  - 2 MITRE ATT&CK techniques observed: T1562.008 - Impair "
      "Defenses: Disable Cloud Logs, T1098 - Account Manipulation\\n");
  EXPECT_EQ(e.severity_label, "Critical");
  EXPECT_EQ(e.tactics, "Persistence,PrivilegeEscalation,DefenseEvasion");
  EXPECT_EQ(e.techniques, "T1562.008,T1098");
}

}  // namespace
}  // namespace gd2s

namespace gd2s {
namespace {

TEST(Mitre, RendersTheRulesAsTheParsersKqlStep) {
  std::string kql = mitre_rules_as_kql();
  EXPECT_EQ(kql.rfind("| extend _M = case(\n", 0), 0u);
  EXPECT_NE(kql.find("    ActivityType matches regex @\"BruteForce\", dynamic({\"ta\": "
                     "[\"CredentialAccess\"], \"te\": [\"T1110\"]}),\n"),
            std::string::npos);
  EXPECT_NE(kql.find("ActivityType matches regex @\"^UnauthorizedAccess:EC2/"
                     "MaliciousIPCaller\\.Custom$\""),
            std::string::npos);
  EXPECT_NE(kql.find("ActivityType matches regex @\"^Recon:IAMUser/\""), std::string::npos);
  EXPECT_TRUE(kql.ends_with("    dynamic({\"ta\": [], \"te\": []}))\n"));
}

TEST(Mitre, RemembersNoMoreAnswersThanItsBoundAndStaysRight) {
  const MitreRule* brute = mitre_rule_for("UnauthorizedAccess:EC2/SSHBruteForce");
  ASSERT_NE(brute, nullptr);
  EXPECT_EQ(std::string_view(brute->tactics), "CredentialAccess");
  // Past the bound, answers are matched afresh rather than remembered: still the same answers.
  for (int i = 0; i < 3000; ++i)
    EXPECT_EQ(mitre_rule_for("Nothing:Known/Type" + std::to_string(i)), nullptr);
  EXPECT_EQ(mitre_rule_for("UnauthorizedAccess:EC2/SSHBruteForce"), brute);
  const MitreRule* miner = mitre_rule_for("CryptoCurrency:EC2/BitcoinTool.B!DNS");
  ASSERT_NE(miner, nullptr);
  EXPECT_EQ(std::string_view(miner->techniques), "T1496");
}

}  // namespace
}  // namespace gd2s
