// `gd2sentinel migrate logstash` as users run it: exit statuses, the config on stdout and the
// report on stderr (or the config in --output and the report on stdout), --force, and no secret
// of the Logstash pipeline anywhere in what it writes.

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>

#include "app/config.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

std::string data(const std::string& name) {
  return test::source_dir() + "/tests/data/logstash/" + name;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The secrets written in tests/data/logstash, and the values given to the variables the
// pipelines reference for theirs.
const std::vector<std::string> kSecrets{
    "AKIAOLDLOGSTASHKEY01",
    "oldLogstashSecretAccessKey/DoNotLeak0001",
    "V29ya3NwYWNlS2V5VGhhdE11c3ROb3RMZWFrMDAwMQ==",
    "U3BsaXRXb3Jrc3BhY2VLZXlEb05vdExlYWs=",
    "la-shared-key-from-the-environment",
    "sentinel-client-secret-from-the-environment",
    "workspace-key-from-the-environment",
};

class MigrateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("LA_SHARED_KEY", "la-shared-key-from-the-environment", 1);
    ::setenv("SENTINEL_CLIENT_SECRET", "sentinel-client-secret-from-the-environment", 1);
    ::setenv("WORKSPACE_KEY", "workspace-key-from-the-environment", 1);
    ::setenv("SINCEDB_DIR", data("sincedb").c_str(), 1);
    ::setenv("GD_BUCKET", "bucket-from-the-environment", 1);
    ::setenv("SENTINEL_CLIENT_ID", "33333333-4444-4555-8666-777777777777", 1);
  }
  void TearDown() override {
    for (const char* name : {"LA_SHARED_KEY", "SENTINEL_CLIENT_SECRET", "WORKSPACE_KEY",
                             "SINCEDB_DIR", "GD_BUCKET", "SENTINEL_CLIENT_ID"})
      ::unsetenv(name);
  }
  test::TempDir dir_;
};

TEST_F(MigrateCli, WritesTheConfigToStdoutAndTheReportToStderr) {
  auto r = test::run_binary({"migrate", "logstash", "--logstash-config", data("classic.conf"),
                             "--logstash-data", data("data")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("# gd2sentinel config written by `gd2sentinel migrate logstash` at ", 0),
            0u)
      << r.out;
  EXPECT_TRUE(contains(r.out, "modified_after = \"2026-09-14T10:22:33Z\"\n"));
  EXPECT_FALSE(contains(r.out, "Steps left:"));
  EXPECT_TRUE(contains(r.err, "Carried over:"));
  EXPECT_TRUE(contains(r.err, "Steps left:\n  1. Stop Logstash first"));
  try {
    (void)parse_config(r.out, "stdout.toml");
    FAIL() << "the sink's endpoint and rule id cannot be known yet";
  } catch (const ConfigError& error) {
    ASSERT_EQ(error.issues().size(), 2u) << error.what();
    EXPECT_EQ(error.issues()[0].key, "sink.logs_ingestion.endpoint");
    EXPECT_EQ(error.issues()[1].key, "sink.logs_ingestion.dcr_immutable_id");
  }
}

TEST_F(MigrateCli, OutputFileIsPrivateAndIsReplacedOnlyWithForce) {
  const std::string out = dir_.file("gd2sentinel.toml");
  std::vector<std::string> args{"migrate",
                                "logstash",
                                "--logstash-config",
                                data("split"),
                                "--from-beginning",
                                "--endpoint",
                                "https://gd-x.westeurope-1.ingest.monitor.azure.com",
                                "--dcr-immutable-id",
                                "dcr-00112233445566778899aabbccddeeff",
                                "--output",
                                out};
  auto first = test::run_binary(args);
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_EQ(first.err, "");
  EXPECT_TRUE(contains(first.out, "the config is in " + out));
  EXPECT_TRUE(contains(first.out, "Steps left:"));
  struct stat info {};
  ASSERT_EQ(::stat(out.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
  std::string written = test::read_file(out);
  EXPECT_TRUE(contains(written, "bucket = \"split-bucket\"\n"));
  EXPECT_EQ(parse_config(written, out).logs_ingestion_sink->dcr_immutable_id,
            "dcr-00112233445566778899aabbccddeeff");

  test::write_file(out, "# mine\n");
  auto again = test::run_binary(args);
  EXPECT_EQ(again.status, 2);
  EXPECT_EQ(again.out, "");
  EXPECT_TRUE(contains(again.err, out + " exists already: pass --force to replace it"))
      << again.err;
  EXPECT_EQ(test::read_file(out), "# mine\n");

  ::chmod(out.c_str(), 0644);
  args.push_back("--force");
  auto forced = test::run_binary(args);
  ASSERT_EQ(forced.status, 0) << forced.err;
  EXPECT_NE(test::read_file(out), "# mine\n");
  EXPECT_TRUE(contains(test::read_file(out), "bucket = \"split-bucket\"\n"));
  ASSERT_EQ(::stat(out.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640u);
}

TEST_F(MigrateCli, NoSecretOfThePipelineAppearsInTheFileStdoutOrStderr) {
  struct Run {
    std::string config;
    std::vector<std::string> more;
  };
  const std::vector<Run> runs{
      {"classic.conf", {"--logstash-data", data("data")}},
      {"community.conf", {"--tenant-id", "t", "--client-id", "c"}},
      {"dcr-env.conf", {"--start-after", "2026-09-01 00:00:00 UTC"}},
      {"conditionals.conf", {"--sincedb", data("sincedb/empty")}},
      {"split", {"--from-beginning"}},
  };
  int n = 0;
  for (const Run& run : runs) {
    for (bool to_file : {false, true}) {
      std::string out = dir_.file("out" + std::to_string(++n) + ".toml");
      std::vector<std::string> args{"migrate", "logstash", "--logstash-config", data(run.config)};
      args.insert(args.end(), run.more.begin(), run.more.end());
      if (to_file) args.insert(args.end(), {"--output", out});
      auto r = test::run_binary(args);
      ASSERT_EQ(r.status, 0) << run.config << ": " << r.err;
      std::string everything = r.out + r.err + (to_file ? test::read_file(out) : "");
      EXPECT_TRUE(contains(everything, "[source.s3_listing]")) << run.config;
      for (const std::string& secret : kSecrets)
        EXPECT_FALSE(contains(everything, secret)) << run.config << " leaks " << secret;
    }
  }
}

TEST_F(MigrateCli, BadPipelinesAndUsageExitTwoWithTheReasonOnStderr) {
  auto broken = test::run_binary(
      {"migrate", "logstash", "--logstash-config", data("broken.conf"), "--from-beginning"});
  EXPECT_EQ(broken.status, 2);
  EXPECT_EQ(broken.out, "");
  EXPECT_TRUE(contains(broken.err, data("broken.conf") +
                                       ":3:12: expected '=>' after the setting name 'bucket', "
                                       "found '{'"))
      << broken.err;

  auto unrelated = test::run_binary(
      {"migrate", "logstash", "--logstash-config", data("unrelated.conf"), "--from-beginning"});
  EXPECT_EQ(unrelated.status, 2);
  EXPECT_EQ(unrelated.out, "");
  EXPECT_TRUE(contains(unrelated.err, "no `s3` input in " + data("unrelated.conf") +
                                          ": inputs found: beats (line 2)"))
      << unrelated.err;

  auto absent = test::run_binary(
      {"migrate", "logstash", "--logstash-config", data("absent.conf"), "--from-beginning"});
  EXPECT_EQ(absent.status, 2);
  EXPECT_TRUE(contains(absent.err, data("absent.conf") + ": cannot be read")) << absent.err;

  auto no_sincedb = test::run_binary({"migrate", "logstash", "--logstash-config", data("split"),
                                      "--logstash-data", dir_.path().string()});
  EXPECT_EQ(no_sincedb.status, 2);
  EXPECT_EQ(no_sincedb.out, "");
  EXPECT_TRUE(contains(no_sincedb.err, "found no sincedb of the s3 input")) << no_sincedb.err;
  EXPECT_TRUE(contains(no_sincedb.err, dir_.path().string() + "/plugins/inputs/s3/sincedb_"));

  auto both = test::run_binary({"migrate", "logstash", "--logstash-config", data("split"),
                                "--from-beginning", "--start-after", "2026-09-14T10:22:33Z"});
  EXPECT_EQ(both.status, 2);
  EXPECT_TRUE(contains(both.err, "excludes")) << both.err;

  EXPECT_EQ(test::run_binary({"migrate"}).status, 2);
  EXPECT_EQ(test::run_binary({"migrate", "logstash"}).status, 2);
  auto help = test::run_binary({"migrate", "--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_TRUE(contains(help.out, "logstash")) << help.out;
}

}  // namespace
}  // namespace gd2s
