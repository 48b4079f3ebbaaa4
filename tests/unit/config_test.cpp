#include "app/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "app/config_reader.h"

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
    parse_config(text, "gd2sentinel.toml");
    return "(valid)";
  } catch (const ConfigError& e) {
    return e.what();
  }
}

TEST(Config, DefaultsMatchTheDocumentedContract) {
  Config c = parse_config(kMinimal, "gd2sentinel.toml");
  ASSERT_TRUE(c.files_source);
  EXPECT_EQ(c.files_source->paths, std::vector<std::string>{"examples/AWSLogs"});
  EXPECT_EQ(c.transform.schema, "native");
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
  EXPECT_EQ(c.transform.schema, "legacy");
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
            "\"5m\", \"1h30m\" or \"7d\"");
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
            "gd2sentinel.toml: sink: is required: add one [sink.<kind>] table (kinds: file)\n"
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
  TableReader reader(table, "azure", issues);
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

}  // namespace
}  // namespace gd2s
