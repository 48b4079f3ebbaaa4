#include "app/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "core/config_reader.h"

namespace gd2s {
namespace {

constexpr const char* kMinimal = R"(
[source.files]
paths = ["examples/AWSLogs"]

[sink.file]
path = "-"
)";

std::string errors_of(const std::string& text) {
  try {
    (void)parse_config(text, "gd2sentinel.toml");
    return "(valid)";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

TEST(Config, DefaultsMatchTheDocumentedContract) {
  Config c = parse_config(kMinimal, "gd2sentinel.toml");
  ASSERT_TRUE(c.files_source);
  EXPECT_EQ(c.files_source->paths, std::vector<std::string>{"examples/AWSLogs"});
  EXPECT_EQ(c.transform.schema, SchemaKind::kNative);
  EXPECT_EQ(c.transform.filter.min_severity, 0.0);
  EXPECT_EQ(c.transform.filter.include_types, std::vector<std::string>{"*"});
  EXPECT_TRUE(c.transform.filter.drop_sample);
  EXPECT_TRUE(c.transform.filter.drop_archived);
  EXPECT_EQ(c.transform.dedupe_window, std::chrono::hours(168));
  EXPECT_EQ(c.dead_letter.path, "dead-letters.jsonl");
  EXPECT_EQ(c.state.path, "gd2sentinel.db");
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.log.format, "text");
}

TEST(Config, ReadsEveryOption) {
  Config c = parse_config(std::string(kMinimal) + R"(
[transform]
schema = "legacy"
min_severity = 4
include_types = ["UnauthorizedAccess:*"]
exclude_types = ["*:IAMUser/*"]
drop_sample = false
drop_archived = false
dedupe_window = "1h30m"
[dead_letter]
path = "dl.jsonl"
[state]
path = "s.db"
[log]
level = "debug"
format = "json"
)",
                          "gd2sentinel.toml");
  EXPECT_EQ(c.transform.schema, SchemaKind::kLegacy);
  EXPECT_EQ(c.transform.filter.min_severity, 4.0);
  EXPECT_EQ(c.transform.filter.exclude_types, std::vector<std::string>{"*:IAMUser/*"});
  EXPECT_FALSE(c.transform.filter.drop_sample);
  EXPECT_EQ(c.transform.dedupe_window, std::chrono::minutes(90));
  EXPECT_EQ(c.state.path, "s.db");
  EXPECT_EQ(c.log.format, "json");
}

TEST(Config, UnknownKeysNameTheKeyTheLineAndTheNearestKnownKey) {
  EXPECT_EQ(errors_of(std::string(kMinimal) + "[transform]\nmin_severty = 4\n"),
            "gd2sentinel.toml:8: transform.min_severty: unknown key; did you mean "
            "\"min_severity\"?");
  EXPECT_EQ(errors_of(std::string(kMinimal) + "[transform]\ncompletely_unrelated = 1\n"),
            "gd2sentinel.toml:8: transform.completely_unrelated: unknown key");
  EXPECT_EQ(errors_of(std::string(kMinimal) + "[tranform]\nschema = \"native\"\n"),
            "gd2sentinel.toml:7: tranform: unknown key; did you mean \"transform\"?");
}

TEST(Config, WrongTypesSayWhatWasExpected) {
  EXPECT_EQ(errors_of(std::string(kMinimal) + "[transform]\nmin_severity = \"high\"\n"),
            "gd2sentinel.toml:8: transform.min_severity: must be a number, not a string");
  EXPECT_EQ(errors_of(std::string(kMinimal) + "[transform]\ndrop_sample = \"yes\"\n"),
            "gd2sentinel.toml:8: transform.drop_sample: must be true or false, not a string");
  EXPECT_EQ(errors_of(std::string(kMinimal) + "[transform]\ndedupe_window = \"a week\"\n"),
            "gd2sentinel.toml:8: transform.dedupe_window: must be a duration such as \"30s\", "
            "\"5m\", \"1h30m\" or \"7d\", of at most 36500d");
  EXPECT_EQ(errors_of(std::string(kMinimal) + "[transform]\nschema = \"fancy\"\n"),
            "gd2sentinel.toml:8: transform.schema: must be one of \"native\", \"legacy\", not "
            "\"fancy\"");
  EXPECT_EQ(errors_of(std::string(kMinimal) + "[transform]\ninclude_types = [\"a\", 3]\n"),
            "gd2sentinel.toml:8: transform.include_types: item 2 must be a string, not a number");
}

TEST(Config, ReportsEveryProblemAtOnce) {
  std::string text = "[source.files]\n[transform]\nmin_severity = 11\nschema = 1\n";
  EXPECT_EQ(errors_of(text),
            "gd2sentinel.toml: source.files.paths: is required: the files or folders to read\n"
            "gd2sentinel.toml: sink: is required: add one [sink.<kind>] table (kinds: file, "
            "logs_ingestion, data_collector)\n"
            "gd2sentinel.toml:3: transform.min_severity: must be between 0 and 10 (GuardDuty "
            "severities run from 1.0 to 10.0)\n"
            "gd2sentinel.toml:4: transform.schema: must be a string, not a number");
}

TEST(Config, SyntaxErrorsGiveTheLine) {
  std::string message = errors_of("[source.files]\npaths = [\n");
  EXPECT_EQ(message.rfind("gd2sentinel.toml:", 0), 0u) << message;
  EXPECT_NE(message.find("(syntax)"), std::string::npos) << message;
}

TEST(Config, UnknownSourceKindsAreNamed) {
  EXPECT_EQ(errors_of("[source.filez]\npaths=[\"x\"]\n[sink.file]\npath=\"-\"\n"),
            "gd2sentinel.toml:1: source.filez: unknown key; did you mean \"files\"?");
}

// Secrets are read through the same reader by every section that has one.
std::string secret_errors(const std::string& value) {
  toml::table table = toml::parse("client_secret = \"" + value + "\"\n");
  std::vector<ConfigIssue> issues;
  TableReader reader(table, "azure", azure::azure_options(), issues);
  Secret secret;
  reader.read_secret("client_secret", secret);
  reader.finish();
  return issues.empty() ? "ok:" + secret.reveal() : issues[0].format("gd2sentinel.toml");
}

TEST(Config, SecretReferencesAreResolvedAtStartUpAndErrorsNameOnlyTheReference) {
  ::unsetenv("GD2S_TEST_CLIENT_SECRET");
  EXPECT_EQ(secret_errors("env:GD2S_TEST_CLIENT_SECRET"),
            "gd2sentinel.toml:1: azure.client_secret: secret reference "
            "'env:GD2S_TEST_CLIENT_SECRET': environment variable GD2S_TEST_CLIENT_SECRET is not "
            "set");
  ::setenv("GD2S_TEST_CLIENT_SECRET", "hunter2-value", 1);
  EXPECT_EQ(secret_errors("env:GD2S_TEST_CLIENT_SECRET"), "ok:hunter2-value");
  ::unsetenv("GD2S_TEST_CLIENT_SECRET");
}

TEST(Config, DidYouMeanPicksTheClosestKey) {
  std::vector<std::string_view> known{"min_severity", "include_types", "exclude_types"};
  EXPECT_EQ(did_you_mean("exclude_type", known), "exclude_types");
  EXPECT_EQ(did_you_mean("MIN_SEVERITY", known), "min_severity");
  EXPECT_EQ(did_you_mean("zzz", known), "");
}

TEST(Config, ReadsTheS3ListingSourceAndTheAwsAndHttpTables) {
  Config c = parse_config(R"(
[source.s3_listing]
bucket = "exports"
prefix = "guardduty"
region = "eu-west-1"
interval = "5m"
since = "2026-01-01"
accounts = ["111122223333"]
regions = ["eu-west-1", "us-east-1"]
shard = "2/3"
max_concurrent_objects = 16
[aws]
profile = "reader"
role_arn = "arn:aws:iam::111122223333:role/gd2sentinel"
external_id = "x-1"
s3_endpoint = "http://127.0.0.1:4566"
s3_path_style = true
[http]
ca_file = "/etc/ssl/extra.pem"
proxy = "http://proxy:3128"
connect_timeout = "3s"
timeout = "2m"
[sink.file]
path = "-"
)",
                          "gd2sentinel.toml");
  ASSERT_TRUE(c.s3_listing_source);
  EXPECT_EQ(c.s3_listing_source->bucket, "exports");
  EXPECT_EQ(c.s3_listing_source->interval, std::chrono::minutes(5));
  EXPECT_EQ(c.s3_listing_source->shard_index, 2u);
  EXPECT_EQ(c.s3_listing_source->shard_count, 3u);
  EXPECT_EQ(c.s3_listing_source->max_concurrent_objects, 16);
  EXPECT_EQ(c.aws.role_arn, "arn:aws:iam::111122223333:role/gd2sentinel");
  EXPECT_TRUE(c.aws.s3_path_style);
  EXPECT_EQ(c.http.timeout, std::chrono::minutes(2));
  EXPECT_TRUE(c.http.verify_tls);
}

TEST(Config, ExplainsS3ListingMistakes) {
  EXPECT_EQ(
      errors_of("[source.s3_listing]\nbucket = \"b\"\nsince = \"March\"\nshard = \"3/3\"\n"
                "accounts = [\"123\"]\nmax_concurrent_objects = 0\n[sink.file]\npath = \"-\"\n"),
      "gd2sentinel.toml: source.s3_listing.region: is required: the bucket's AWS Region, e.g. "
      "\"eu-west-1\"\n"
      "gd2sentinel.toml:3: source.s3_listing.since: must be a date such as \"2026-01-01\", not "
      "\"March\"\n"
      "gd2sentinel.toml:4: source.s3_listing.shard: must be \"i/N\" with 0 <= i < N <= 1024 (this "
      "instance's share of the keys), not \"3/3\"\n"
      "gd2sentinel.toml:5: source.s3_listing.accounts: \"123\" is not a 12-digit AWS account id\n"
      "gd2sentinel.toml:6: source.s3_listing.max_concurrent_objects: must be between 1 and 256");
  EXPECT_EQ(errors_of(std::string(kMinimal) + "[aws]\ns3_endpoint = \"localhost:4566\"\n"),
            "gd2sentinel.toml:8: aws.s3_endpoint: must be a URL starting with https:// (or http:// "
            "for a local stand-in)");
}

TEST(Config, ReadsModifiedAfterAsAUtcTime) {
  const std::string head = "[source.s3_listing]\nbucket = \"b\"\nregion = \"eu-west-1\"\n";
  const std::string tail = "[sink.file]\npath = \"-\"\n";
  Config c = parse_config(head + "modified_after = \"2026-09-14T10:22:33Z\"\n" + tail, "g.toml");
  ASSERT_TRUE(c.s3_listing_source);
  EXPECT_EQ(c.s3_listing_source->modified_after, "2026-09-14T10:22:33Z");
  EXPECT_EQ(errors_of(head + "modified_after = \"2026-09-14T10:22:33.250Z\"\n" + tail), "(valid)");
  EXPECT_EQ(parse_config(head + tail, "g.toml").s3_listing_source->modified_after, "");
  for (const char* bad : {"2026-09-14", "2026-09-14 10:22:33 UTC", "2026-09-14T10:22:33+02:00",
                          "2026-13-14T10:22:33Z", "yesterday"})
    EXPECT_EQ(errors_of(head + "modified_after = \"" + bad + "\"\n" + tail),
              std::string("gd2sentinel.toml:4: source.s3_listing.modified_after: must be a UTC "
                          "time in RFC 3339 form such as \"2026-09-14T10:22:33Z\", not \"") +
                  bad + "\"")
        << bad;
}

}  // namespace
}  // namespace gd2s

namespace gd2s {
namespace {

constexpr const char* kFilesSource = R"(
[source.files]
paths = ["examples/AWSLogs"]
)";

TEST(Config, ReadsTheLogsIngestionSinkAndTheAzureTable) {
  setenv("GD2S_TEST_AZURE_SECRET", "azure-secret-value", 1);
  Config c = parse_config(std::string(kFilesSource) + R"(
[sink.logs_ingestion]
endpoint = "https://gd2s-abcd.westeurope-1.ingest.monitor.azure.com/"
dcr_immutable_id = "dcr-00000000000000000000000000000001"
stream = "Custom-GuardDutyFinding"
max_batch_bytes = 500000
concurrency = 8
gzip_level = 3
max_retry_delay = "30s"
[azure]
auth = "client_secret"
cloud = "usgovernment"
tenant_id = "3d6f7a21-0000-4000-8000-000000000001"
client_id = "0e9c4d1a-0000-4000-8000-000000000002"
client_secret = "env:GD2S_TEST_AZURE_SECRET"
authority_host = "https://127.0.0.1:8443"
scope = "https://monitor.azure.us/.default"
)",
                          "gd2sentinel.toml");
  ASSERT_TRUE(c.logs_ingestion_sink);
  EXPECT_FALSE(c.file_sink);
  EXPECT_EQ(c.logs_ingestion_sink->endpoint,
            "https://gd2s-abcd.westeurope-1.ingest.monitor.azure.com");
  EXPECT_EQ(c.logs_ingestion_sink->max_batch_bytes, 500000);
  EXPECT_EQ(c.logs_ingestion_sink->concurrency, 8);
  EXPECT_EQ(c.logs_ingestion_sink->gzip_level, 3);
  EXPECT_EQ(c.logs_ingestion_sink->max_retry_delay, std::chrono::seconds(30));
  EXPECT_EQ(c.azure.auth, azure::AzureAuth::kClientSecret);
  EXPECT_EQ(c.azure.cloud, "usgovernment");
  EXPECT_EQ(c.azure.client_secret.reveal(), "azure-secret-value");
  EXPECT_EQ(c.azure.scope, "https://monitor.azure.us/.default");
  unsetenv("GD2S_TEST_AZURE_SECRET");
}

TEST(Config, LogsIngestionDefaultsAreTheApiLimits) {
  Config c = parse_config(std::string(kFilesSource) + R"(
[sink.logs_ingestion]
endpoint = "https://dce.example"
dcr_immutable_id = "dcr-00000000000000000000000000000001"
stream = "Custom-GuardDutyFinding"
)",
                          "gd2sentinel.toml");
  EXPECT_EQ(c.logs_ingestion_sink->max_batch_bytes, 1048576);
  EXPECT_EQ(c.logs_ingestion_sink->concurrency, 4);
  EXPECT_EQ(c.azure.auth, azure::AzureAuth::kAuto);
  EXPECT_EQ(c.azure.cloud, "public");
}

TEST(Config, ExplainsAzureMistakes) {
  std::string errors = errors_of(std::string(kFilesSource) + R"(
[sink.logs_ingestion]
endpoint = "dce.example"
dcr_immutable_id = "my-dcr"
stream = "GuardDuty"
max_batch_bytes = 2000000
[azure]
auth = "client_secret"
cloud = "azure-germany"
scope = "https://monitor.azure.com"
)");
  EXPECT_NE(errors.find("sink.logs_ingestion.endpoint: must be a URL"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find("dcr_immutable_id: must be the DCR's immutable id"), std::string::npos);
  EXPECT_NE(errors.find("stream: must be a stream the DCR declares"), std::string::npos);
  EXPECT_NE(errors.find("max_batch_bytes: must be between 1024 and 1048576"), std::string::npos);
  EXPECT_NE(errors.find("azure.cloud"), std::string::npos);
  EXPECT_NE(errors.find("azure.tenant_id: is required for auth = \"client_secret\""),
            std::string::npos);
  EXPECT_NE(errors.find("azure.client_secret: is required"), std::string::npos);
  EXPECT_NE(errors.find("azure.scope: must end in \"/.default\""), std::string::npos);
}

TEST(Config, ReadsTheDataCollectorSinkOnlyWithTheLegacySchema) {
  setenv("GD2S_TEST_WORKSPACE_KEY", "a2V5", 1);
  std::string sink = R"(
[sink.data_collector]
workspace_id = "7e1d3b9a-0000-4000-8000-000000000006"
shared_key = "env:GD2S_TEST_WORKSPACE_KEY"
log_type = "GuardDuty"
)";
  Config c = parse_config(std::string(kFilesSource) + sink + "[transform]\nschema = \"legacy\"\n",
                          "gd2sentinel.toml");
  ASSERT_TRUE(c.data_collector_sink);
  EXPECT_EQ(c.data_collector_sink->log_type, "GuardDuty");
  EXPECT_EQ(c.data_collector_sink->max_batch_bytes, 30000000);
  EXPECT_EQ(c.data_collector_sink->shared_key.reveal(), "a2V5");
  EXPECT_NE(errors_of(std::string(kFilesSource) + sink)
                .find("transform.schema: must be \"legacy\" with [sink.data_collector]"),
            std::string::npos);
  std::string errors = errors_of(std::string(kFilesSource) + R"(
[sink.data_collector]
workspace_id = "workspace"
log_type = "AWSGuardDuty_CL"
[transform]
schema = "legacy"
)");
  EXPECT_NE(errors.find("workspace_id: must be the workspace id"), std::string::npos) << errors;
  EXPECT_NE(errors.find("shared_key: is required"), std::string::npos);
  EXPECT_NE(errors.find("log_type: must not end in \"_CL\""), std::string::npos);
  unsetenv("GD2S_TEST_WORKSPACE_KEY");
}

TEST(Config, RangesHoldWithoutOverflowOrNaN) {
  EXPECT_NE(errors_of(std::string(kMinimal) + "[transform]\ndedupe_window = \"1000000000d\"\n")
                .find("transform.dedupe_window: must be a duration"),
            std::string::npos)
      << "a window that overflows the clock would switch deduplication off";
  EXPECT_NE(
      errors_of(std::string(kMinimal) + "[transform]\ndedupe_window = \"99999999999999999999ms\"\n")
          .find("transform.dedupe_window"),
      std::string::npos);
  EXPECT_EQ(errors_of(std::string(kMinimal) + "[transform]\ndedupe_window = \"36500d\"\n"),
            "(valid)");
  EXPECT_EQ(errors_of(std::string(kMinimal) + "[transform]\nmin_severity = nan\n"),
            "gd2sentinel.toml:8: transform.min_severity: must be a finite number, not nan");
  EXPECT_EQ(errors_of(std::string(kMinimal) + "[transform]\nmin_severity = inf\n"),
            "gd2sentinel.toml:8: transform.min_severity: must be a finite number, not inf");
}

constexpr const char* kIngestion = R"(
[source.files]
paths = ["examples/AWSLogs"]
[sink.logs_ingestion]
endpoint = "ENDPOINT"
dcr_immutable_id = "dcr-00000000000000000000000000000001"
stream = "Custom-GuardDutyFinding"
[azure]
auth = "client_secret"
tenant_id = "3d6f7a21-0000-4000-8000-000000000001"
client_id = "0e9c4d1a-0000-4000-8000-000000000002"
client_secret = "inline-secret-for-test"
authority_host = "AUTHORITY"
)";

std::string ingestion_config(const std::string& endpoint, const std::string& authority,
                             const std::string& extra = "") {
  std::string text = kIngestion;
  text.replace(text.find("ENDPOINT"), 8, endpoint);
  text.replace(text.find("AUTHORITY"), 9, authority);
  return text + extra;
}

TEST(Config, CleartextHttpIsRefusedBeyondThisHostUnlessAllowed) {
  EXPECT_EQ(errors_of(ingestion_config("http://127.0.0.1:8080", "http://localhost:9000")),
            "(valid)")
      << "loopback stand-ins may be plain http";
  std::string refused = errors_of(ingestion_config("http://dce.example.net", "https://login.test"));
  EXPECT_NE(refused.find("sink.logs_ingestion.endpoint: is plain http:// to a host other than "
                         "this one"),
            std::string::npos)
      << refused;
  refused = errors_of(ingestion_config("https://dce.example.net", "http://10.1.2.3"));
  EXPECT_NE(refused.find("azure.authority_host: is plain http://"), std::string::npos) << refused;
  refused = errors_of(std::string(kMinimal) + "[aws]\ns3_endpoint = \"http://minio.lan:9000\"\n");
  EXPECT_NE(refused.find("aws.s3_endpoint: is plain http://"), std::string::npos) << refused;

  Config allowed = parse_config(ingestion_config("http://dce.example.net", "https://login.test",
                                                 "[http]\nallow_insecure_http = true\n"),
                                "gd2sentinel.toml");
  ASSERT_EQ(allowed.warnings.size(), 1u);
  EXPECT_NE(allowed.warnings[0].find("sink.logs_ingestion.endpoint = \"http://dce.example.net\" "
                                     "is plain http://"),
            std::string::npos)
      << allowed.warnings[0];
}

TEST(Config, HostIssuesNameMissingFoldersAndAddressesThisHostLacks) {
  Config c = parse_config(kMinimal, "gd2sentinel.toml");
  c.state.path = "/nonexistent-gd2s-folder/state.db";
  c.dead_letter.path = "/nonexistent-gd2s-folder/dead.jsonl";
  c.metrics.listen = "192.0.2.1:9464";  // TEST-NET-1: no host has it
  std::vector<ConfigIssue> issues = host_issues(c);
  ASSERT_EQ(issues.size(), 3u);
  EXPECT_EQ(issues[0].key, "state.path");
  EXPECT_NE(issues[0].message.find("its folder /nonexistent-gd2s-folder does not exist"),
            std::string::npos)
      << issues[0].message;
  EXPECT_EQ(issues[1].key, "dead_letter.path");
  EXPECT_EQ(issues[2].key, "metrics.listen");
  EXPECT_NE(issues[2].message.find("this host has no such address"), std::string::npos)
      << issues[2].message;

  c.state.path = "state.db";
  c.dead_letter.path = "dead.jsonl";
  c.metrics.listen = "127.0.0.1:0";
  EXPECT_TRUE(host_issues(c).empty());
}

TEST(Config, ReadsTheDeadLetterLimitsAndExplainsBadOnes) {
  Config defaults = parse_config(kMinimal, "gd2sentinel.toml");
  EXPECT_EQ(defaults.dead_letter.max_original_bytes, 65536);
  EXPECT_EQ(defaults.dead_letter.max_file_bytes, int64_t{1} << 30);
  Config c = parse_config(std::string(kMinimal) + R"(
[dead_letter]
path = "dl.jsonl"
max_original_bytes = 4096
max_file_bytes = 10485760
)",
                          "gd2sentinel.toml");
  EXPECT_EQ(c.dead_letter.path, "dl.jsonl");
  EXPECT_EQ(c.dead_letter.max_original_bytes, 4096);
  EXPECT_EQ(c.dead_letter.max_file_bytes, 10485760);
  std::string errors = errors_of(std::string(kMinimal) + R"(
[dead_letter]
max_original_bytes = 10
max_file_bytes = 1000
)");
  EXPECT_NE(errors.find("dead_letter.max_original_bytes: must be between 1024 and 1048576"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("dead_letter.max_file_bytes: must be at least 65536"), std::string::npos)
      << errors;
}

}  // namespace
}  // namespace gd2s

namespace gd2s {
namespace {

constexpr const char* kAzureSetupConfig = R"([source.s3_listing]
bucket = "b"
region = "eu-west-1"

[transform]
schema = "legacy"

[sink.logs_ingestion]
workspace_resource_id = "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/sentinel/"
)";

TEST(Config, ATableMigrationNeedsNoRuleYetButARunDoes) {
  Config config = parse_config(kAzureSetupConfig, "setup.toml", ConfigUse::kAzureSetup);
  ASSERT_TRUE(config.logs_ingestion_sink);
  EXPECT_EQ(config.logs_ingestion_sink->workspace_resource_id,
            "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/rg/providers/"
            "Microsoft.OperationalInsights/workspaces/sentinel");
  try {
    (void)parse_config(kAzureSetupConfig, "setup.toml");
    ADD_FAILURE() << "a run needs the rule's endpoint, immutable id and stream";
  } catch (const ConfigError& error) {
    std::string text = error.what();
    EXPECT_NE(text.find("sink.logs_ingestion.endpoint: is required"), std::string::npos) << text;
    EXPECT_NE(text.find("sink.logs_ingestion.dcr_immutable_id: is required"), std::string::npos);
  }
  // What is given is still checked.
  std::string wrong = std::string(kAzureSetupConfig) + "dcr_immutable_id = \"gd2sentinel\"\n";
  EXPECT_THROW((void)parse_config(wrong, "setup.toml", ConfigUse::kAzureSetup), ConfigError);
}

TEST(Config, AWorkspaceResourceIdMustBeAWorkspacesArmId) {
  std::string text = std::string(kAzureSetupConfig);
  text.replace(text.find("/providers/Microsoft.OperationalInsights"), 40,
               "/providers/Microsoft.Insights/dataCollect");
  try {
    (void)parse_config(text, "setup.toml", ConfigUse::kAzureSetup);
    ADD_FAILURE() << "a rule's id is not a workspace's";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("workspace_resource_id: must be the workspace's ARM"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace gd2s
