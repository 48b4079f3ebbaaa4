#pragma once
// The subcommands of `gd2sentinel`. Each returns the process exit status:
// 0 done, 1 runtime failure, 2 bad usage or config.

#include <string>

namespace gd2s {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct RunOptions {
  std::string config_path;
  bool once = false;
  bool summary = false;
  std::string log_format;  // "text" or "json"; empty: the config's [log] format
};

int run_command(const RunOptions& options);

struct DeadLettersOptions {
  std::string config_path;
  std::string reason;           // only entries whose reason contains this (case-insensitive)
  std::string format = "text";  // list: text, or json (one object per line)
};

/// `dead-letters list`: every entry with its replay status, then counts by stage and reason.
int dead_letters_list_command(const DeadLettersOptions& options);
/// `dead-letters replay`: sends entries not yet replayed through the configured sink and marks
/// those delivered; exit 0 when every matching entry is now replayed, 1 otherwise.
int dead_letters_replay_command(const DeadLettersOptions& options);
/// `validate-config`: the file's keys and values; unless `file_only`, also this host's folders
/// for state and dead letters and the metrics address (a config bound for another machine, such as
/// a container image's or a ConfigMap's, is checked with `file_only`).
int validate_config_command(const std::string& config_path, bool file_only);
int schema_command(const std::string& name, const std::string& format);
int mitre_command(const std::string& format);
int azure_template_command(const std::string& schema, const std::string& format,
                           bool existing_table = false);
int aws_policy_command();
int check_command(const std::string& config_path);

struct MigrateTableOptions {
  std::string config_path;
  bool dry_run = false;  // read and report, change nothing
};

/// `migrate table`: migrates a classic AWSGuardDuty_CL to a DCR-based table and adds the columns
/// gd2sentinel writes that it lacks, with the configured identity.
int migrate_table_command(const MigrateTableOptions& options);

struct MigrateLogstashOptions {
  std::string logstash_config;   // a file, or a folder of files read in name order
  std::string output;            // empty: the config to stdout, the report to stderr
  std::string sincedb;           // overrides sincedb_path and the default location
  std::string logstash_data;     // Logstash's path.data; empty: the usual places
  std::string start_after;       // a time, instead of the sincedb
  bool from_beginning = false;   // the whole bucket, instead of the sincedb
  int s3_input = 0;              // which s3 input (1-based) when there are several
  bool support_escapes = false;  // as logstash.yml's config.support_escapes
  std::string endpoint;
  std::string dcr_immutable_id;
  std::string workspace_resource_id;
  std::string tenant_id;
  std::string client_id;
  bool force = false;  // replace an existing --output file
};

/// `migrate logstash`: a gd2sentinel config from a Logstash pipeline (s3 input, Azure output),
/// starting where its sincedb left off, and a report of what was and was not carried over.
int migrate_logstash_command(const MigrateLogstashOptions& options);

}  // namespace gd2s
