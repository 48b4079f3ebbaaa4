// `gd2sentinel check` against the local stand-ins: everything granted passes; each permission
// taken away in turn is one ✗ line that names the action to grant, and the exit status is 1.
#include <gtest/gtest.h>

#include "support/aws_standin.h"
#include "support/test_support.h"
#include "support/workspace_emulator.h"

namespace gd2s {
namespace {

using test::AwsStandin;
using test::WorkspaceEmulator;

class Check : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    standin_ = new AwsStandin();
    emulator_ = new WorkspaceEmulator();
    standin_->create_bucket("check-export");
    standin_->put_object("check-export",
                         "AWSLogs/111122223333/GuardDuty/eu-west-1/2026/03/01/a.jsonl.gz",
                         test::gzip(test::finding_json("c-1") + "\n"));
    queue_ = new std::string(standin_->create_queue("check-queue"));
    standin_->send_message(*queue_, R"({"Event":"s3:TestEvent","Bucket":"check-export"})");
    setenv("AWS_ACCESS_KEY_ID", AwsStandin::kAccessKeyId, 1);
    setenv("AWS_SECRET_ACCESS_KEY", AwsStandin::kSecretAccessKey, 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  }
  static void TearDownTestSuite() {
    delete standin_;
    delete emulator_;
    delete queue_;
    unsetenv("AWS_ACCESS_KEY_ID");
    unsetenv("AWS_SECRET_ACCESS_KEY");
  }
  void TearDown() override {
    standin_->clear_faults();
    emulator_->clear_faults();
    unsetenv("GD2S_CHECK_SECRET");
  }

  std::string config(const std::string& source, const std::string& stream = "",
                     const std::string& extra = "") {
    setenv("GD2S_CHECK_SECRET", WorkspaceEmulator::kClientSecret, 1);
    std::string path = dir_.file("check.toml");
    test::write_file(
        path, source + "\n[aws]\nsqs_endpoint = \"" + standin_->endpoint() +
                  "\"\ns3_endpoint = \"" + standin_->endpoint() +
                  "\"\ns3_path_style = true\n[sink.logs_ingestion]\nendpoint = \"" +
                  emulator_->url() + "\"\ndcr_immutable_id = \"" + WorkspaceEmulator::kDcr +
                  "\"\nstream = \"" +
                  (stream.empty() ? std::string(WorkspaceEmulator::kNativeStream) : stream) +
                  "\"\n" + extra + "\n[azure]\nauth = \"client_secret\"\ntenant_id = \"" +
                  WorkspaceEmulator::kTenant + "\"\nclient_id = \"" + WorkspaceEmulator::kClientId +
                  "\"\nclient_secret = \"env:GD2S_CHECK_SECRET\"\nauthority_host = \"" +
                  emulator_->url() + "\"\nresource_manager = \"" + emulator_->url() +
                  "\"\n[http]\nca_file = \"" + emulator_->ca_file() + "\"\n[state]\npath = \"" +
                  dir_.file("state.db") + "\"\n");
    return path;
  }
  std::string sqs() {
    return "[source.sqs]\nqueue_url = \"" + *queue_ + "\"\nregion = \"" + standin_->region() + "\"";
  }
  std::string listing() {
    return "[source.s3_listing]\nbucket = \"check-export\"\nregion = \"" + standin_->region() +
           "\"";
  }
  static test::ProcessResult check(const std::string& path) {
    return test::run_binary({"check", "--config", path});
  }
  static bool has(const std::string& out, const std::string& line_start) {
    return ("\n" + out).find("\n" + line_start) != std::string::npos;
  }

  static AwsStandin* standin_;
  static WorkspaceEmulator* emulator_;
  static std::string* queue_;
  test::TempDir dir_;
};

AwsStandin* Check::standin_ = nullptr;
WorkspaceEmulator* Check::emulator_ = nullptr;
std::string* Check::queue_ = nullptr;

TEST_F(Check, EverythingGrantedPassesAndLeavesTheQueueAsItWas) {
  auto r = check(config(sqs()));
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  for (const char* line :
       {"✓ AWS credentials from environment", "✓ sqs:GetQueueAttributes on ",
        "✓ sqs:ReceiveMessage on ", "✓ sqs:DeleteMessage on ", "✓ sqs:ChangeMessageVisibility on ",
        "✓ Microsoft Entra token by client secret", "✓ post to dcr-"})
    EXPECT_TRUE(has(r.out, line)) << line << "\n" << r.out;
  EXPECT_NE(r.out.find(std::string("appid ") + WorkspaceEmulator::kClientId), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("every check passed"), std::string::npos);
  // The message it saw is still there, visible.
  EXPECT_EQ(standin_->queue_attributes(*queue_).at("ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(emulator_->row_count("AWSGuardDuty"), 0);
  EXPECT_EQ(r.out.find(WorkspaceEmulator::kClientSecret), std::string::npos);

  auto listing_run = check(config(listing()));
  EXPECT_EQ(listing_run.status, 0) << listing_run.out << listing_run.err;
  EXPECT_TRUE(has(listing_run.out, "✓ s3:ListBucket on s3://check-export/AWSLogs/"))
      << listing_run.out;
  EXPECT_TRUE(has(listing_run.out,
                  "✓ s3:GetObject and kms:Decrypt on the newest object, "
                  "s3://check-export/AWSLogs/111122223333/GuardDuty/eu-west-1/2026/03/01/"
                  "a.jsonl.gz"))
      << listing_run.out;
}

TEST_F(Check, EachAwsPermissionTakenAwayIsNamed) {
  struct Case {
    std::string operation, action;
    bool listing;
  };
  for (const Case& c :
       std::vector<Case>{{"GetQueueAttributes", "sqs:GetQueueAttributes", false},
                         {"ReceiveMessage", "sqs:ReceiveMessage", false},
                         {"DeleteMessageBatch", "sqs:DeleteMessage", false},
                         {"ChangeMessageVisibilityBatch", "sqs:ChangeMessageVisibility", false},
                         {"ListObjectsV2", "s3:ListBucket", true},
                         {"GetObject", "s3:GetObject and kms:Decrypt", true}}) {
    standin_->clear_faults();
    standin_->add_fault(R"({"operation":"^)" + c.operation + R"($","action":"deny"})");
    auto r = check(config(c.listing ? listing() : sqs()));
    EXPECT_EQ(r.status, 1) << c.operation << "\n" << r.out;
    EXPECT_TRUE(has(r.out, "✗ " + c.action + " on ")) << c.operation << "\n" << r.out;
    EXPECT_NE(r.out.find("the identity needs " + c.action.substr(0, c.action.find(' '))),
              std::string::npos)
        << c.operation << "\n"
        << r.out;
    EXPECT_NE(r.out.find("1 checks failed"), std::string::npos) << c.operation << "\n" << r.out;
  }
}

TEST_F(Check, EachGuardDutyPermissionTakenAwayIsNamed) {
  std::string detector = standin_->create_detector(standin_->region());
  standin_->put_findings(detector, "[" + test::finding_json("gd-1") + "]");
  // config() writes the [aws] table: the GuardDuty endpoint comes from the environment.
  setenv("AWS_ENDPOINT_URL_GUARDDUTY", standin_->endpoint().c_str(), 1);
  const std::string api = "[source.guardduty_api]\nregions = [\"" + standin_->region() + "\"]";
  auto ok = check(config(api));
  EXPECT_EQ(ok.status, 0) << ok.out << ok.err;
  for (const char* line : {"✓ guardduty:ListDetectors in ", "✓ guardduty:ListFindings on detector ",
                           "✓ guardduty:GetFindings on detector "})
    EXPECT_TRUE(has(ok.out, line)) << line << "\n" << ok.out;
  for (const char* operation : {"ListDetectors", "ListFindings", "GetFindings"}) {
    standin_->clear_faults();
    standin_->add_fault(R"({"service":"guardduty","operation":"^)" + std::string(operation) +
                        R"($","action":"deny"})");
    auto r = check(config(api));
    EXPECT_EQ(r.status, 1) << operation << "\n" << r.out;
    EXPECT_TRUE(has(r.out, std::string("✗ guardduty:") + operation)) << operation << "\n" << r.out;
  }
  unsetenv("AWS_ENDPOINT_URL_GUARDDUTY");
}

TEST_F(Check, AzureRefusalsNameTheirFix) {
  setenv("GD2S_CHECK_SECRET", "wrong-secret", 1);
  std::string path = config(sqs());
  setenv("GD2S_CHECK_SECRET", "wrong-secret", 1);
  auto wrong = check(path);
  EXPECT_EQ(wrong.status, 1);
  EXPECT_TRUE(has(wrong.out, "✗ Microsoft Entra token: ")) << wrong.out;
  EXPECT_NE(wrong.out.find("AADSTS7000215"), std::string::npos) << wrong.out;
  EXPECT_EQ(wrong.out.find("wrong-secret"), std::string::npos) << wrong.out;

  emulator_->set_faults(R"([{"endpoint": "logs_ingestion", "status": 403}])");
  auto denied = check(config(sqs()));
  EXPECT_EQ(denied.status, 1);
  EXPECT_TRUE(has(denied.out, "✗ post to dcr-")) << denied.out;
  EXPECT_NE(denied.out.find("Monitoring Metrics Publisher"), std::string::npos) << denied.out;
  emulator_->clear_faults();

  auto missing = check(config(sqs(), "Custom-NoSuchStream"));
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.out.find("HTTP 404"), std::string::npos) << missing.out;
  EXPECT_NE(missing.out.find("dcr_immutable_id and stream"), std::string::npos) << missing.out;
}

TEST_F(Check, TheStreamsDeclaredColumnsAreComparedWithTheSchema) {
  const std::string rule =
      std::string("dcr_resource_id = \"") + WorkspaceEmulator::kDcrResourceId + "\"";
  auto native = check(config(sqs(), "", rule));
  EXPECT_EQ(native.status, 0) << native.out << native.err;
  EXPECT_TRUE(has(native.out, std::string("✓ columns of stream ") +
                                  WorkspaceEmulator::kNativeStream +
                                  ": every column of the native schema is declared with its type"))
      << native.out;

  // The legacy schema's rows posted to the native stream: its columns are not declared there.
  auto legacy = check(config(sqs() + "\n[transform]\nschema = \"legacy\"", "", rule));
  EXPECT_EQ(legacy.status, 1) << legacy.out;
  EXPECT_NE(legacy.out.find("type_s is not declared"), std::string::npos) << legacy.out;
  EXPECT_NE(legacy.out.find("azure-template --schema legacy"), std::string::npos) << legacy.out;

  // The legacy stream: its columns, and the table the rule's destination holds.
  auto legacy_table = check(
      config(sqs() + "\n[transform]\nschema = \"legacy\"", WorkspaceEmulator::kLegacyStream, rule));
  EXPECT_EQ(legacy_table.status, 0) << legacy_table.out << legacy_table.err;
  EXPECT_TRUE(has(legacy_table.out,
                  "✓ table AWSGuardDuty_CL is DCR-based and has every column of the legacy schema"))
      << legacy_table.out;

  emulator_->set_faults(R"([{"endpoint": "arm", "status": 403}])");
  auto denied = check(config(sqs(), "", rule));
  EXPECT_EQ(denied.status, 1) << denied.out;
  EXPECT_NE(denied.out.find("give the identity Reader on the rule"), std::string::npos)
      << denied.out;

  // Without the id the step is named and skipped, not failed.
  auto skipped = check(config(sqs()));
  EXPECT_TRUE(has(skipped.out, std::string("- columns of stream ") +
                                   WorkspaceEmulator::kNativeStream +
                                   ": set [sink.logs_ingestion] "
                                   "dcr_resource_id"))
      << skipped.out;
}

}  // namespace
}  // namespace gd2s
