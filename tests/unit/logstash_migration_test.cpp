// `migrate logstash` from the pipelines in tests/data/logstash/: the configs it writes, compared
// byte for byte with tests/data/logstash/expected/ (the clock is injected; the checkout's
// location is taken out of paths) and read back by gd2sentinel's own config loader; the report;
// and every way a pipeline is refused.
//
// GD2S_UPDATE_GOLDEN=1 rewrites the expected files from what the code writes now: review the diff.

#include "migrate/logstash_migration.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>

#include "app/config.h"
#include "support/test_support.h"

namespace gd2s::migrate {
namespace {

const std::string kData = "tests/data/logstash/";

std::string in_source(const std::string& relative) {
  return test::source_dir() + "/" + relative;
}

// Paths under the checkout, as a person in its root would type them.
std::string relative(std::string text) {
  const std::string root = test::source_dir() + "/";
  for (size_t at = text.find(root); at != std::string::npos; at = text.find(root, at))
    text.erase(at, root.size());
  return text;
}

class LogstashMigration : public ::testing::Test {
 protected:
  LogstashMigrationRequest request(const std::string& config) {
    LogstashMigrationRequest r;
    r.config_path = kData + config;
    r.pipeline = logstash::load_pipeline(in_source(kData + config));
    r.data_dirs = {in_source(kData + "no-such-data"), in_source(kData + "data")};
    r.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto found = env_.find(name);
      if (found == env_.end()) return std::nullopt;
      return found->second;
    };
    r.now = *parse_iso8601("2026-12-07T12:00:00Z");
    return r;
  }

  // The config, compared with its golden file; and the report.
  std::pair<std::string, std::string> migrate_as(const LogstashMigrationRequest& r,
                                                 const std::string& golden) {
    gd2s::migrate::LogstashMigration result = migrate_logstash(r);
    std::string config = relative(result.config);
    std::string path = in_source(kData + "expected/" + golden);
    if (std::getenv("GD2S_UPDATE_GOLDEN") != nullptr) test::write_file(path, config);
    EXPECT_EQ(config, test::read_file(path)) << "differs from " << path;
    return {config, relative(result.report)};
  }

  // What gd2sentinel's own loader says of the config: "(valid)" or its issues' keys.
  static std::string loaded(const std::string& config) {
    try {
      (void)parse_config(config, "migrated.toml");
      return "(valid)";
    } catch (const ConfigError& error) {
      std::string keys;
      for (const ConfigIssue& issue : error.issues()) keys += (keys.empty() ? "" : " ") + issue.key;
      return keys;
    }
  }

  static std::string error_of(const LogstashMigrationRequest& r) {
    try {
      migrate_logstash(r);
      return "(migrated)";
    } catch (const MigrationError& error) {
      return relative(error.what());
    }
  }

  void SetUp() override {
    ::setenv("AZURE_CLIENT_SECRET", "secret-for-the-loader", 1);
    ::setenv("SENTINEL_CLIENT_SECRET", "secret-for-the-loader", 1);
  }
  void TearDown() override {
    ::unsetenv("AZURE_CLIENT_SECRET");
    ::unsetenv("SENTINEL_CLIENT_SECRET");
  }

  std::map<std::string, std::string> env_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(LogstashMigration, ClassicPipelineStartsWhereTheDefaultSincedbLeftOff) {
  auto [config, report] = migrate_as(request("classic.conf"), "classic.toml");
  // Until the template is deployed, only its two outputs are missing.
  EXPECT_EQ(loaded(config), "sink.logs_ingestion.endpoint sink.logs_ingestion.dcr_immutable_id");
  EXPECT_TRUE(contains(report, "line 6: access_key_id, secret_access_key: not written"));
  EXPECT_TRUE(contains(report, "line 15: workspace_key: not needed any more"));
  EXPECT_TRUE(contains(report, "Rotate the workspace key once Logstash is gone"));
  EXPECT_TRUE(contains(report, "line 17: plugin_flush_interval: "));
  EXPECT_TRUE(contains(report,
                       "tests/data/logstash/data/plugins/inputs/s3/"
                       "sincedb_0c9694670b216868bad9169eaa88692d says \"2026-09-14 "
                       "10:22:33 UTC\""));
  EXPECT_TRUE(contains(report,
                       "az monitor log-analytics workspace list --query "
                       "\"[?customerId=='0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'].id\""));
  EXPECT_TRUE(contains(report, "gd2sentinel migrate table --config "));
  EXPECT_TRUE(contains(report, "validate-config names them as missing"));
  EXPECT_TRUE(contains(report, "docs/migrate-from-logstash.md"));
}

TEST_F(LogstashMigration, FlagsFillTheSinkAndTheIdentityAndTheConfigLoads) {
  LogstashMigrationRequest r = request("classic.conf");
  r.endpoint = "https://gd-legacy-x1y2.westeurope-1.ingest.monitor.azure.com";
  r.dcr_immutable_id = "dcr-00112233445566778899aabbccddeeff";
  r.workspace_resource_id =
      "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sec/providers/"
      "Microsoft.OperationalInsights/workspaces/sentinel";
  r.tenant_id = "11111111-2222-4333-8444-555555555555";
  r.client_id = "66666666-7777-4888-9999-000000000000";
  r.output_path = "/etc/gd2sentinel/gd2sentinel.toml";
  auto [config, report] = migrate_as(r, "classic-flags.toml");
  ASSERT_EQ(loaded(config), "(valid)");
  Config c = parse_config(config, "migrated.toml");
  ASSERT_TRUE(c.s3_listing_source);
  EXPECT_EQ(c.s3_listing_source->modified_after, "2026-09-14T10:22:33Z");
  EXPECT_EQ(c.transform.schema, SchemaKind::kLegacy);
  EXPECT_FALSE(c.transform.filter.drop_sample);
  EXPECT_FALSE(c.transform.filter.drop_archived);
  EXPECT_EQ(c.logs_ingestion_sink->stream, "Custom-GuardDutyLegacy");
  EXPECT_EQ(c.logs_ingestion_sink->workspace_resource_id, r.workspace_resource_id);
  EXPECT_EQ(c.azure.auth, azure::AzureAuth::kClientSecret);
  EXPECT_EQ(c.state.path, "/var/lib/gd2sentinel/state.db");
  EXPECT_EQ(c.dead_letter.path, "/var/lib/gd2sentinel/dead-letters.jsonl");
  EXPECT_TRUE(contains(report, "Set AZURE_CLIENT_SECRET to the app registration's client secret"));
  EXPECT_TRUE(contains(report, "https://management.azure.com" + r.workspace_resource_id +
                                   "/tables/AWSGuardDuty_CL/migrate?api-version=2022-10-01"));
  EXPECT_FALSE(contains(report, "Fill in endpoint"));
}

TEST_F(LogstashMigration, CommunityPluginCarriesTableCloudAndS3SettingsAndResolvesVariables) {
  env_["SINCEDB_DIR"] = in_source(kData + "sincedb");
  auto [config, report] = migrate_as(request("community.conf"), "community.toml");
  EXPECT_EQ(loaded(config), "sink.logs_ingestion.endpoint sink.logs_ingestion.dcr_immutable_id");
  EXPECT_TRUE(contains(report, "line 20: shared_key (${LA_SHARED_KEY}): not needed any more"))
      << "a secret's variable is named, never looked up";
  EXPECT_TRUE(contains(report, "TimeGenerated: the old rows took it from the event's updatedAt"));
  EXPECT_TRUE(contains(report, "key_names (line 22) limited the old rows to some keys"));
  EXPECT_TRUE(contains(report, "line 8: delete => false: gd2sentinel never deletes objects"));
  EXPECT_TRUE(contains(report, "line 11: additional_settings follow_redirects: "));
  EXPECT_TRUE(contains(report, "GuardDutyFindings_CL"));
}

TEST_F(LogstashMigration, DcrPluginKeepsTheEndpointAndReferencesTheSecretsVariable) {
  env_["GD_BUCKET"] = "bucket-from-the-environment";
  env_["SENTINEL_CLIENT_ID"] = "33333333-4444-4555-8666-777777777777";
  LogstashMigrationRequest r = request("dcr-env.conf");
  r.start_after = "2026-09-01 00:00:00 UTC";
  auto [config, report] = migrate_as(r, "dcr-env.toml");
  EXPECT_EQ(loaded(config), "sink.logs_ingestion.dcr_immutable_id");
  EXPECT_TRUE(contains(report,
                       "client_app_secret (${SENTINEL_CLIENT_SECRET}) → [azure] "
                       "client_secret = \"env:SENTINEL_CLIENT_SECRET\""));
  EXPECT_TRUE(contains(report, "Set SENTINEL_CLIENT_SECRET to the app registration's"));
  EXPECT_TRUE(contains(report,
                       "line 15: dcr_immutable_id: that rule and stream were made for "
                       "Logstash's raw events"));
  EXPECT_TRUE(contains(report, "After 2026-09-01T00:00:00Z (--start-after)"));
  EXPECT_FALSE(contains(report, "migrate table")) << "a DCR plugin's table is DCR-based";
}

TEST_F(LogstashMigration, DcrPluginWithManagedIdentity) {
  LogstashMigrationRequest r = request("dcr-managed-identity.conf");
  r.sincedb = in_source(kData + "sincedb/managed");
  r.dcr_immutable_id = "dcr-abcdefabcdefabcdefabcdefabcdefab";
  auto [config, report] = migrate_as(r, "dcr-managed-identity.toml");
  EXPECT_EQ(loaded(config), "(valid)");
  EXPECT_TRUE(contains(report, "region not set → \"us-east-1\""));
  EXPECT_TRUE(contains(report,
                       "Secrets (no value is written to the config or printed):\n  "
                       "(none)"));
}

TEST_F(LogstashMigration, ConditionsFiltersAndOtherPluginsAreReportedWithLinesAndWhy) {
  LogstashMigrationRequest r = request("conditionals.conf");
  r.sincedb = in_source(kData + "sincedb/empty");
  auto [config, report] = migrate_as(r, "conditionals.toml");
  EXPECT_EQ(loaded(config), "sink.logs_ingestion.endpoint sink.logs_ingestion.dcr_immutable_id");
  for (const char* expected : {
           "line 4: input s3 → [source.s3_listing], under if [@metadata][feed] != \"off\" at "
           "line 3 (gd2sentinel has no conditions",
           "line 2: input beats: gd2sentinel reads one source per config",
           "line 7: delete => true: gd2sentinel never deletes objects",
           "line 8: exclude_pattern => /Sample/: gd2sentinel reads GuardDuty's layout",
           "line 9: codec => plain: gd2sentinel reads each object as GuardDuty writes it",
           "line 10: gzip_pattern => \\.gz(ip)?$: gd2sentinel recognises gzip by its bytes",
           "line 11: type (on every event Logstash read)",
           "line 17: filter mutate: ",
           "line 19: filter drop: ",
           "line 21: filter json: ",
           "line 24: output stdout: gd2sentinel has one sink",
           "line 26: output microsoft-logstash-output-azure-loganalytics → [sink.logs_ingestion], "
           "schema legacy, under if \"gd\" in [tags] at line 25",
           "line 30: key_names: the legacy schema names the columns",
           "line 31: azure_resource_id: ",
           "line 34: output elasticsearch: ",
           "The Azure output ran only for events that matched its condition",
           "workspace_key (${WORKSPACE_KEY}): not needed any more",
           "Logstash's sincedb tests/data/logstash/sincedb/empty is empty",
       })
    EXPECT_TRUE(contains(report, expected)) << expected << "\n--- in ---\n" << report;
}

TEST_F(LogstashMigration, AFolderOfFilesIsOnePipelineAndLinesNameTheirFile) {
  LogstashMigrationRequest r = request("split");
  r.from_beginning = true;
  auto [config, report] = migrate_as(r, "split.toml");
  EXPECT_TRUE(contains(report, "tests/data/logstash/split/10-input.conf:3: bucket → "));
  EXPECT_TRUE(contains(report, "tests/data/logstash/split/20-output.conf:5: workspace_key: "));
  EXPECT_TRUE(contains(report,
                       "Findings Logstash already shipped will be in AWSGuardDuty_CL "
                       "twice"));
}

TEST_F(LogstashMigration, RefusesPipelinesWithoutAnS3InputOrAnAzureOutput) {
  EXPECT_EQ(error_of(request("unrelated.conf")),
            "no `s3` input in tests/data/logstash/unrelated.conf: inputs found: beats (line 2). "
            "gd2sentinel migrates pipelines that read GuardDuty's S3 export with Logstash's s3 "
            "input");
  LogstashMigrationRequest r = request("unrelated.conf");
  r.pipeline = logstash::parse_pipeline(
      "input { s3 { bucket => \"b\" } }\noutput {\n  elasticsearch { }\n  stdout { }\n}\n",
      "p.conf");
  r.config_path = "p.conf";
  EXPECT_EQ(error_of(r),
            "no Azure Log Analytics output in p.conf: outputs found: elasticsearch (line 3), "
            "stdout (line 4). gd2sentinel migrates pipelines that end in "
            "microsoft-logstash-output-azure-loganalytics, azure_loganalytics or "
            "microsoft-sentinel-log-analytics-logstash-output-plugin");
  r.pipeline = logstash::parse_pipeline(
      "input { s3 { bucket => \"b\" } }\noutput {\n azure_loganalytics { }\n"
      " microsoft-logstash-output-azure-loganalytics { }\n}\n",
      "p.conf");
  EXPECT_EQ(error_of(r),
            "2 Azure outputs in p.conf:\n  azure_loganalytics (line 3)\n  "
            "microsoft-logstash-output-azure-loganalytics (line 4)\ngd2sentinel writes to one "
            "workspace per config: keep the output that writes the GuardDuty table in a copy of "
            "the pipeline, migrate that copy, and migrate the other the same way for a second "
            "config");
}

TEST_F(LogstashMigration, SeveralS3InputsNeedAChoice) {
  LogstashMigrationRequest r = request("unrelated.conf");
  r.config_path = "p.conf";
  r.from_beginning = true;
  r.pipeline = logstash::parse_pipeline(
      "input {\n  s3 { bucket => \"first\" }\n  s3 { bucket => \"second\" }\n}\n"
      "output { azure_loganalytics { log_type => \"GD\" } }\n",
      "p.conf");
  EXPECT_EQ(error_of(r),
            "2 `s3` inputs in p.conf:\n  1: s3 (line 2), bucket first\n  2: s3 (line 3), bucket "
            "second\ngd2sentinel reads one bucket per config: choose one with --s3-input N, and "
            "migrate again with the other N for a second config (and a second [state] path)");
  r.s3_input = 2;
  EXPECT_TRUE(contains(migrate_logstash(r).config, "bucket = \"second\""));
  EXPECT_TRUE(contains(migrate_logstash(r).report,
                       "line 2: input s3: gd2sentinel reads one "
                       "source per config"));
  r.s3_input = 3;
  EXPECT_EQ(error_of(r), "--s3-input 3: p.conf has 2 `s3` inputs");
}

TEST_F(LogstashMigration, AnUnsetVariableWithoutADefaultNamesTheFileLineAndVariable) {
  LogstashMigrationRequest r = request("dcr-env.conf");
  r.from_beginning = true;
  env_["SENTINEL_CLIENT_ID"] = "x";
  EXPECT_EQ(error_of(r),
            "tests/data/logstash/dcr-env.conf:3: s3 bucket is ${GD_BUCKET}, which is not set in "
            "this environment and has no default: set it as Logstash's environment (or keystore) "
            "had it, e.g. export GD_BUCKET=…, and run again");
}

TEST_F(LogstashMigration, WithoutASincedbItAsksWhereToStart) {
  LogstashMigrationRequest r = request("split");
  std::string error = error_of(r);
  EXPECT_TRUE(contains(error,
                       "found no sincedb of the s3 input (tests/data/logstash/split/"
                       "10-input.conf:2); looked at:\n  tests/data/logstash/no-such-data/"
                       "plugins/inputs/s3/sincedb_"))
      << error;
  EXPECT_TRUE(contains(error, "--start-after TIME")) << error;
  EXPECT_TRUE(contains(error,
                       "--from-beginning (the whole bucket: findings Logstash already "
                       "shipped will be in the table twice)"))
      << error;
  r.sincedb = "/nonexistent/sincedb";
  EXPECT_TRUE(contains(error_of(r), "looked at:\n  /nonexistent/sincedb\n"));

  r = request("classic.conf");
  r.pipeline = logstash::parse_pipeline(
      "input { s3 { bucket => \"b\" sincedb_path => \"/dev/null\" } }\n"
      "output { azure_loganalytics { } }",
      "p.conf");
  EXPECT_EQ(error_of(r),
            "p.conf:1: sincedb_path => \"/dev/null\": Logstash kept no record of where it was, "
            "so there is no starting point to carry over. Say where to start: --start-after "
            "TIME (e.g. when the old pipeline stopped, \"2026-09-14 10:22:33 UTC\"), or "
            "--from-beginning (the whole bucket: findings Logstash already shipped will be in "
            "the table twice)");
  r.start_after = "last tuesday";
  EXPECT_EQ(error_of(r),
            "--start-after \"last tuesday\" is not a time such as \"2026-09-14 "
            "10:22:33 UTC\" or \"2026-09-14T10:22:33Z\"");
  r.start_after = "2026-09-14 05:22:33 -0500";
  EXPECT_TRUE(contains(migrate_logstash(r).config, "modified_after = \"2026-09-14T10:22:33Z\""));
}

// Logstash's prefix may reach into GuardDuty's layout; gd2sentinel's stops before AWSLogs/.
TEST_F(LogstashMigration, APrefixIntoAwsLogsBecomesAccountsAndRegions) {
  LogstashMigrationRequest r = request("classic.conf");
  r.from_beginning = true;
  r.config_path = "p.conf";
  auto with_prefix = [&](const std::string& prefix) {
    r.pipeline = logstash::parse_pipeline(
        "input { s3 { bucket => \"b\" prefix => \"" + prefix +
            "\" } }\noutput { azure_loganalytics { log_type => \"AWSGuardDuty\" } }",
        "p.conf");
    gd2s::migrate::LogstashMigration m = migrate_logstash(r);
    std::string config = m.config;
    size_t start = config.find("prefix = ");
    return config.substr(start, config.find("\n#", start) - start) + "\n" +
           (contains(m.report, "more may be read than Logstash read") ? "(wider)" : "(same)");
  };
  EXPECT_EQ(with_prefix("exports/"), "prefix = \"exports/\"\nregion = \"us-east-1\"\n(same)");
  EXPECT_EQ(with_prefix("AWSLogs/111122223333/GuardDuty/eu-west-1/"),
            "prefix = \"\"\nregion = \"us-east-1\"\naccounts = [\"111122223333\"]\n"
            "regions = [\"eu-west-1\"]\n(same)");
  EXPECT_EQ(with_prefix("guardduty/AWSLogs/111122223333/"),
            "prefix = \"guardduty\"\nregion = \"us-east-1\"\naccounts = [\"111122223333\"]\n"
            "(same)");
  EXPECT_EQ(with_prefix("AWSLogs/111122223333/GuardDuty/eu-west-1/2026/"),
            "prefix = \"\"\nregion = \"us-east-1\"\naccounts = [\"111122223333\"]\n"
            "regions = [\"eu-west-1\"]\n(wider)");
  EXPECT_EQ(with_prefix("AWSLogs/1111"), "prefix = \"\"\nregion = \"us-east-1\"\n(wider)");
}

TEST_F(LogstashMigration, AProxyUrlIsNotShownForItMayHoldAPassword) {
  LogstashMigrationRequest r = request("classic.conf");
  r.from_beginning = true;
  r.pipeline = logstash::parse_pipeline(
      "input { s3 { bucket => \"b\" proxy_uri => \"http://me:proxy-password@proxy:3128\" } }\n"
      "output { azure_loganalytics { log_type => \"AWSGuardDuty\" } }",
      "p.conf");
  gd2s::migrate::LogstashMigration m = migrate_logstash(r);
  EXPECT_TRUE(contains(m.report, "line 1: proxy_uri: set [http] proxy")) << m.report;
  EXPECT_FALSE(contains(m.report + m.config, "proxy-password"));
}

TEST_F(LogstashMigration, StringsAreWrittenWithTomlEscapes) {
  LogstashMigrationRequest r = request("classic.conf");
  r.from_beginning = true;
  r.pipeline = logstash::parse_pipeline(
      "input { s3 { bucket => \"b\" prefix => 'a \"quoted\" \\\\ path\\t' } }\n"
      "output { azure_loganalytics { log_type => \"GD\" } }",
      "p.conf", logstash::ParseOptions{true});
  std::string config = migrate_logstash(r).config;
  EXPECT_TRUE(contains(config, "prefix = \"a \\\"quoted\\\" \\\\ path\\t\"\n")) << config;
  for (const char* commented : {"# endpoint", "# dcr_immutable_id"})
    config.erase(config.find(commented), 2);
  Config c = parse_config(config, "m.toml");
  EXPECT_EQ(c.s3_listing_source->prefix, "a \"quoted\" \\ path\t");
}

}  // namespace
}  // namespace gd2s::migrate
