// `gd2sentinel check`: walks every permission and connection the config needs, one line per
// step, and says for each refusal what to grant. The steps are the components' own probes
// (app/registry.h); they read and post nothing that changes state: the SQS message one may
// receive stays visible, the batch calls carry a receipt handle that cannot match a message, and
// the rule gets an empty array.

#include <cstdio>

#include "app/commands.h"
#include "app/components.h"
#include "app/config.h"
#include "app/logging.h"
#include "app/registry.h"
#include "core/probe.h"
#include "core/redaction.h"
#include "http/config.h"
#include "http/curl_client.h"
#include "state/sqlite_store.h"

namespace gd2s {
namespace {

// One line per step on stdout: ✓, ✗ or -, what was tried, and the cause or the reason.
class PrintedReport final : public ProbeReport {
 public:
  void ok(const std::string& what) override { print("✓", what, ""); }
  void fail(const std::string& what, const std::string& cause) override {
    ++failures_;
    print("✗", what, cause);
  }
  void skip(const std::string& what, const std::string& why) override { print("-", what, why); }
  int failures() const { return failures_; }

 private:
  static void print(const char* mark, const std::string& what, const std::string& detail) {
    std::string line =
        redact(std::string(mark) + " " + what + (detail.empty() ? "" : ": ") + detail);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  int failures_ = 0;
};

}  // namespace

int check_command(const std::string& config_path) {
  Config config;
  try {
    // A rule not deployed yet is a failed step below, not a config error: `check` guides a
    // move from another pipeline through the table's migration too.
    config = load_config(config_path, ConfigUse::kAzureSetup);
  } catch (const ConfigError& error) {
    print_error(error.what());
    return kExitUsage;
  }
  // Only errors: the steps speak for themselves.
  setup_logging("error", config.log.format);
  PrintedReport report;
  report.ok("config " + config_path);
  for (const std::string& warning : config.warnings) report.skip("warning", warning);
  http::HttpClientPtr http = http::make_curl_client(http_options(config.http));

  try {
    // Without the run's lock: `check` may look at a database a running service holds.
    SqliteStateStore state(config.state.path, StateAccess::kInspect);
    report.ok("state store " + config.state.path);
    SourceParts parts = make_source(config, state, true, http);
    bool credentials_ok = true;
    if (parts.credentials) {
      try {
        aws::AwsCredentials credentials = parts.credentials->credentials();
        report.ok("AWS credentials from " + credentials.provider + " (access key " +
                  credentials.access_key_id + ")");
      } catch (const std::exception& error) {
        report.fail("AWS credentials", error.what());
        credentials_ok = false;
      }
    }
    if (credentials_ok) source_kind(config).probe(config, parts, report);
  } catch (const std::exception& error) {
    report.fail("source", error.what());
  }

  sink_kind(config).probe(config, http, report);
  std::printf("%s\n", report.failures() == 0
                          ? "every check passed"
                          : (std::to_string(report.failures()) + " checks failed").c_str());
  return report.failures() == 0 ? kExitOk : kExitFailure;
}

}  // namespace gd2s
