// `gd2sentinel run` end to end with the Logs Ingestion sink: the examples go through the real
// protocol to the workspace emulator, the secret comes from the environment and shows nowhere.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "support/config_text.h"
#include "support/test_support.h"
#include "support/workspace_emulator.h"

namespace gd2s {
namespace {

using test::WorkspaceEmulator;

std::string logs_ingestion_config(const test::TempDir& dir, const WorkspaceEmulator& emulator,
                                  const std::string& secret_ref) {
  return test::ConfigText()
      .files_source({test::source_dir() + "/examples/AWSLogs"})
      .workspace_emulator(emulator, secret_ref)
      .dead_letters(dir.file("dead.jsonl"))
      .state(dir.file("state.db"))
      .write(dir.file("gd2sentinel.toml"));
}

TEST(CliAzure, RunShipsTheExamplesToTheWorkspaceAndCommitsEveryUnit) {
  WorkspaceEmulator emulator;
  test::TempDir dir;
  setenv("GD2S_TEST_CLIENT_SECRET", WorkspaceEmulator::kClientSecret, 1);
  auto r = test::run_binary({"run", "--config",
                             logs_ingestion_config(dir, emulator, "env:GD2S_TEST_CLIENT_SECRET"),
                             "--summary"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("sink logs_ingestion ("), std::string::npos) << r.err;
  EXPECT_GT(emulator.row_count("AWSGuardDuty"), 20);
  EXPECT_EQ(r.err.find(WorkspaceEmulator::kClientSecret), std::string::npos);
  EXPECT_EQ(r.out.find(WorkspaceEmulator::kClientSecret), std::string::npos);

  // A second run finds every unit committed and sends nothing again.
  int64_t rows = emulator.row_count("AWSGuardDuty");
  auto again = test::run_binary(
      {"run", "--config", logs_ingestion_config(dir, emulator, "env:GD2S_TEST_CLIENT_SECRET")});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(emulator.row_count("AWSGuardDuty"), rows);
  unsetenv("GD2S_TEST_CLIENT_SECRET");
}

TEST(CliAzure, AWrongSecretFailsTheRunWithEntrasCodeAndNeverShowsTheSecret) {
  WorkspaceEmulator emulator;
  test::TempDir dir;
  setenv("GD2S_TEST_CLIENT_SECRET", "not-the-secret-7d1c", 1);
  auto r = test::run_binary(
      {"run", "--config", logs_ingestion_config(dir, emulator, "env:GD2S_TEST_CLIENT_SECRET")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("AADSTS7000215"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("not-the-secret-7d1c"), std::string::npos) << r.err;
  EXPECT_EQ(emulator.row_count("AWSGuardDuty"), 0);
  unsetenv("GD2S_TEST_CLIENT_SECRET");
}

TEST(CliAzure, TheDataCollectorSinkWarnsThatTheApiIsRetiredAndDelivers) {
  WorkspaceEmulator emulator;
  test::TempDir dir;
  setenv("GD2S_TEST_WORKSPACE_KEY", WorkspaceEmulator::kSharedKey, 1);
  std::string path = dir.file("gd2sentinel.toml");
  test::write_file(path, R"([source.files]
paths = [")" + test::source_dir() +
                             R"(/examples/AWSLogs"]

[transform]
schema = "legacy"

[sink.data_collector]
workspace_id = ")" + WorkspaceEmulator::kWorkspaceId +
                             R"("
shared_key = "env:GD2S_TEST_WORKSPACE_KEY"
endpoint = ")" + emulator.url() +
                             R"("

[http]
ca_file = ")" + emulator.ca_file() +
                             R"("

[dead_letter]
path = ")" + dir.file("dead.jsonl") +
                             R"("

[state]
path = ")" + dir.file("state.db") +
                             R"("
)");
  auto r = test::run_binary({"run", "--config", path});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("retired the HTTP Data Collector API on 14 September 2026"),
            std::string::npos)
      << r.err;
  EXPECT_GT(emulator.row_count("AWSGuardDuty_CL"), 20);
  EXPECT_EQ(r.err.find(WorkspaceEmulator::kSharedKey), std::string::npos);
  unsetenv("GD2S_TEST_WORKSPACE_KEY");
}

}  // namespace
}  // namespace gd2s
