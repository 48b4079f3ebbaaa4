#pragma once
// The config file (TOML), exactly as DESIGN.md's contract names it: each table is read by the
// component that owns it (its config.h), and every option is documented once, in
// docs/configuration.md, with its default (held to the components' OptionDoc lists by a test).

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "aws/config.h"
#include "azure/config.h"
#include "core/config_reader.h"
#include "core/duration.h"
#include "http/config.h"
#include "sinks/data_collector/config.h"
#include "sinks/dead_letter_config.h"
#include "sinks/file/config.h"
#include "sinks/logs_ingestion/config.h"
#include "sources/files/config.h"
#include "sources/guardduty_api/config.h"
#include "sources/s3_listing/config.h"
#include "sources/sqs/config.h"
#include "state/config.h"
#include "transform/config.h"

namespace gd2s {

struct LogConfig {
  std::string level = "info";
  std::string format = "text";
  Duration progress_interval = std::chrono::seconds(60);  // 0: no progress log lines
};

struct MetricsConfig {
  std::string listen;  // "host:port"; empty: no listener
  Duration ready_window = std::chrono::minutes(15);
};

struct Config {
  std::string file;              // where it was read from
  std::string_view source_kind;  // the one [source.<kind>]: "files", "s3_listing", "sqs", …
  std::string_view sink_kind;    // the one [sink.<kind>]: "file", "logs_ingestion", …
  std::optional<FilesSourceConfig> files_source;
  std::optional<S3ListingConfig> s3_listing_source;
  std::optional<SqsConfig> sqs_source;
  std::optional<GuardDutyApiConfig> guardduty_api_source;
  AwsConfig aws;
  HttpConfig http;
  TransformConfig transform;
  std::optional<FileSinkConfig> file_sink;
  std::optional<LogsIngestionConfig> logs_ingestion_sink;
  std::optional<DataCollectorConfig> data_collector_sink;
  azure::AzureAuthOptions azure;
  DeadLetterConfig dead_letter;
  StateConfig state;
  LogConfig log;
  MetricsConfig metrics;
  /// What is allowed but unwise (http:// endpoints under allow_insecure_http): said at start-up.
  std::vector<std::string> warnings;
};

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, std::vector<ConfigIssue> issues);
  const std::vector<ConfigIssue>& issues() const { return issues_; }
  const std::string& file() const { return file_; }

 private:
  ConfigError(std::string file, std::vector<ConfigIssue> ordered, int);
  std::string file_;
  std::vector<ConfigIssue> issues_;
};

/// What the config is loaded for. `kAzureSetup` (`migrate table`) runs before the data collection
/// rule exists, so [sink.logs_ingestion] endpoint, dcr_immutable_id and stream may still be
/// missing; they are checked when present.
enum class ConfigUse { kRun, kAzureSetup };

/// Reads and checks the file; every problem is collected and thrown together in a ConfigError.
/// Secret references ("env:NAME", "file:/path") are resolved here, at start-up.
[[nodiscard]] Config load_config(const std::string& path, ConfigUse use = ConfigUse::kRun);
/// The same, from text (`file` names it in messages).
[[nodiscard]] Config parse_config(const std::string& text, const std::string& file,
                                  ConfigUse use = ConfigUse::kRun);

/// What the config asks of this host, checked without the network: the folders of the state
/// database and the dead-letter file exist and are writable, and the metrics address can be
/// bound (an address in use is not an issue: it may be this very service, running).
[[nodiscard]] std::vector<ConfigIssue> host_issues(const Config& config);

/// Every table of the file with its documented keys, in the order docs/configuration.md has them.
std::vector<TableDoc> documented_tables();

}  // namespace gd2s
