#pragma once
// The config file (TOML), exactly as DESIGN.md's contract names it. Every option is documented
// once, in docs/configuration.md, with its default.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/duration.h"
#include "core/secret.h"
#include "transform/filter.h"

namespace gd2s {

struct FilesSourceConfig {
  std::vector<std::string> paths;
  std::vector<std::string> include{"*.json", "*.jsonl", "*.ndjson", "*.gz"};
};

struct S3ListingConfig {
  std::string bucket;
  std::string prefix;
  std::string region;
  Duration interval = std::chrono::seconds(60);
  std::string since;
  std::string modified_after;  // RFC 3339 UTC; objects modified at or before it are not read
  std::vector<std::string> accounts;
  std::vector<std::string> regions;
  uint32_t shard_index = 0;
  uint32_t shard_count = 1;
  int64_t max_concurrent_objects = 8;
};

struct SqsConfig {
  std::string queue_url;
  std::string region;  // empty in the file: taken from the queue URL's host
  int64_t receivers = 2;
  int64_t max_receive_count = 5;
  Duration wait_time = std::chrono::seconds(20);
  Duration visibility_timeout = std::chrono::seconds(0);  // 0: the queue's own
};

/// [source.guardduty_api]: findings from the GuardDuty API (ListFindings/GetFindings).
struct GuardDutyApiConfig {
  std::vector<std::string> regions;
  std::vector<std::string> detector_ids;  // "ID" (one Region) or "REGION/ID"; empty: ListDetectors
  std::string since;                      // "YYYY-MM-DD"; empty: 90 days before now
  Duration interval = std::chrono::minutes(5);
  Duration lookback = std::chrono::minutes(5);
};

struct AwsConfig {
  std::string profile;
  std::string role_arn;
  std::string external_id;
  std::string s3_endpoint;
  std::string sqs_endpoint;
  std::string sts_endpoint;
  std::string guardduty_endpoint;
  bool s3_path_style = false;
};

struct HttpConfig {
  std::string ca_file;
  bool verify_tls = true;
  std::string proxy;
  Duration connect_timeout = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(60);
  /// Lets an endpoint other than loopback be reached over http:// (credentials in clear).
  bool allow_insecure_http = false;
};

struct TransformConfig {
  std::string schema = "native";
  FilterOptions filter;
  Duration dedupe_window = std::chrono::hours(24 * 7);
};

/// [azure]: how the Logs Ingestion sink gets Entra ID tokens.
struct AzureConfig {
  std::string auth =
      "auto";  // client_secret | certificate | workload_identity | managed_identity | auto
  std::string cloud = "public";  // public | usgovernment | china
  std::string tenant_id;
  std::string client_id;
  Secret client_secret;
  std::string certificate;  // PEM with the certificate and its private key
  std::string authority_host;
  std::string scope;
  std::string managed_identity_object_id;
  std::string managed_identity_resource_id;
  std::string imds_endpoint;
  std::string resource_manager;  // ARM endpoint override (check); empty: the cloud's
};

struct LogsIngestionConfig {
  std::string endpoint;
  std::string dcr_immutable_id;
  std::string stream;
  std::string dcr_resource_id;  // optional: lets `check` read the rule's stream declaration
  /// Optional: the Log Analytics workspace's ARM id, for `check` and `migrate table` to read
  /// and migrate the table before a rule exists.
  std::string workspace_resource_id;
  int64_t max_batch_bytes = 1048576;
  int64_t concurrency = 4;
  int64_t gzip_level = 6;
  Duration max_retry_delay = std::chrono::seconds(60);
};

struct DataCollectorConfig {
  std::string workspace_id;
  Secret shared_key;
  std::string log_type = "AWSGuardDuty";
  std::string endpoint;  // default https://<workspace_id>.ods.opinsights.azure.<cloud suffix>
  std::string azure_resource_id;
  int64_t max_batch_bytes = 30000000;
  int64_t concurrency = 2;
  Duration max_retry_delay = std::chrono::seconds(60);
};

struct FileSinkConfig {
  std::string path = "-";
};

struct DeadLetterConfig {
  std::string path = "dead-letters.jsonl";
  int64_t max_original_bytes = 64 * 1024;     // an original longer keeps only its start
  int64_t max_file_bytes = int64_t{1} << 30;  // the file never grows past this
};

struct StateConfig {
  std::string path = "gd2sentinel.db";
};

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
  std::string file;  // where it was read from
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
  AzureConfig azure;
  DeadLetterConfig dead_letter;
  StateConfig state;
  LogConfig log;
  MetricsConfig metrics;
  /// What is allowed but unwise (http:// endpoints under allow_insecure_http): said at start-up.
  std::vector<std::string> warnings;
};

/// One thing wrong with the file, tied to the key that has it.
struct ConfigIssue {
  std::string key;  // dotted: "transform.min_severity"
  int line = 0;     // 0 when the key is absent
  std::string message;
  /// "config.toml:12: transform.min_severity: must be a number, not a string"
  std::string format(const std::string& file) const;
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
Config load_config(const std::string& path, ConfigUse use = ConfigUse::kRun);
/// The same, from text (`file` names it in messages).
Config parse_config(const std::string& text, const std::string& file,
                    ConfigUse use = ConfigUse::kRun);

/// What the config asks of this host, checked without the network: the folders of the state
/// database and the dead-letter file exist and are writable, and the metrics address can be
/// bound (an address in use is not an issue: it may be this very service, running).
std::vector<ConfigIssue> host_issues(const Config& config);

}  // namespace gd2s
