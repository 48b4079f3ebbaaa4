// The binary as users and scripts meet it: commands, options, exit statuses, config validation
// and schemas. Runs (the pipeline's threads at work) are in cli_run_test.cpp.

#include <gtest/gtest.h>
#include <simdjson.h>

#include "support/config_text.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

TEST(Cli, PrintsItsVersion) {
  auto r = test::run_binary({"version"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out.rfind("gd2sentinel ", 0), 0u);
}

// help2man writes the Debian package's man page from these: --version must print "NAME VERSION"
// on stdout and exit 0 (the same line as the `version` command), and --help and --help-all must
// too, even though every other use needs a command.
TEST(Cli, AnswersVersionAndHelpOptionsAsHelp2manNeeds) {
  auto version = test::run_binary({"--version"});
  EXPECT_EQ(version.status, 0) << version.err;
  EXPECT_EQ(version.out, test::run_binary({"version"}).out);
  EXPECT_EQ(version.out.rfind("gd2sentinel ", 0), 0u) << version.out;

  auto help = test::run_binary({"--help"});
  EXPECT_EQ(help.status, 0) << help.err;
  EXPECT_NE(help.out.find("Usage: gd2sentinel"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--version"), std::string::npos) << help.out;

  auto all = test::run_binary({"--help-all"});
  EXPECT_EQ(all.status, 0) << all.err;
  for (const char* command_option :
       {"validate-config", "--no-host-checks", "--log-format", "dead-letters"})
    EXPECT_NE(all.out.find(command_option), std::string::npos) << command_option;
}

TEST(Cli, BadUsageExitsTwo) {
  EXPECT_EQ(test::run_binary({}).status, 2);
  EXPECT_EQ(test::run_binary({"frobnicate"}).status, 2);
  EXPECT_EQ(test::run_binary({"run"}).status, 2);
  EXPECT_EQ(test::run_binary({"schema", "--name", "other"}).status, 2);
}

TEST(Cli, ValidateConfigExplainsEachErrorWithItsKey) {
  test::TempDir dir;
  test::write_file(dir.file("bad.toml"),
                   "[source.files]\npaths = [\"x\"]\n[sink.file]\npath = \"-\"\n[transform]\n"
                   "min_severty = 4\nschema = \"fancy\"\n");
  auto r = test::run_binary({"validate-config", "--config", dir.file("bad.toml")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(
      r.err.find("bad.toml:6: transform.min_severty: unknown key; did you mean \"min_severity\"?"),
      std::string::npos)
      << r.err;
  EXPECT_NE(
      r.err.find(
          "bad.toml:7: transform.schema: must be one of \"native\", \"legacy\", not \"fancy\""),
      std::string::npos)
      << r.err;
  auto ok = test::run_binary({"validate-config", "--config",
                              test::ConfigText()
                                  .files_source({"x"})
                                  .file_sink(dir.file("out.jsonl"))
                                  .dead_letters(dir.file("dead.jsonl"))
                                  .state(dir.file("state.db"))
                                  .log_level("warn")
                                  .write(dir.file("config.toml"))});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(test::run_binary({"run", "--config", dir.file("bad.toml")}).status, 2);
}

TEST(Cli, ValidateConfigChecksTheFoldersAndTheMetricsAddressOfThisHost) {
  test::TempDir dir;
  test::write_file(dir.file("host.toml"),
                   "[source.files]\npaths = [\"x\"]\n[sink.file]\npath = \"-\"\n"
                   "[state]\npath = \"" +
                       dir.file("missing/state.db") + "\"\n[dead_letter]\npath = \"" +
                       dir.file("missing/dead.jsonl") +
                       "\"\n[metrics]\nlisten = \"192.0.2.1:9464\"\n");
  auto r = test::run_binary({"validate-config", "--config", dir.file("host.toml")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("state.path: \"" + dir.file("missing/state.db") + "\": its folder " +
                       dir.file("missing") + " does not exist"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("dead_letter.path: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("metrics.listen: cannot listen on 192.0.2.1:9464"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.out.find(": ok"), std::string::npos);
}

TEST(Cli, ValidateConfigWithoutHostChecksJudgesTheFileAlone) {
  test::TempDir dir;
  test::write_file(dir.file("elsewhere.toml"),
                   "[source.files]\npaths = [\"x\"]\n[sink.file]\npath = \"-\"\n"
                   "[state]\npath = \"/var/lib/gd2sentinel-elsewhere/state.db\"\n"
                   "[metrics]\nlisten = \"192.0.2.1:9464\"\n");
  auto r = test::run_binary(
      {"validate-config", "--no-host-checks", "--config", dir.file("elsewhere.toml")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find(": ok"), std::string::npos) << r.out;
  // A problem in the file itself is still an error.
  test::write_file(dir.file("bad.toml"),
                   "[source.files]\npaths = [\"x\"]\n[sink.file]\n"
                   "path = \"-\"\n[state]\ndedupe_window = \"1000000000d\"\n");
  auto bad =
      test::run_binary({"validate-config", "--no-host-checks", "--config", dir.file("bad.toml")});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("dedupe_window"), std::string::npos) << bad.err;
}

TEST(Cli, PrintsEachSchemaAsJson) {
  for (const char* name : {"native", "legacy"}) {
    auto r = test::run_binary({"schema", "--name", name, "--format", "json"});
    ASSERT_EQ(r.status, 0);
    simdjson::dom::parser parser;
    auto doc = parser.parse(r.out);
    ASSERT_FALSE(doc.error()) << r.out;
    EXPECT_EQ(std::string_view(doc["name"]), name);
  }
}

}  // namespace
}  // namespace gd2s
