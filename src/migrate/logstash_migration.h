#pragma once
// `gd2sentinel migrate logstash`: from a Logstash pipeline that moves GuardDuty's S3 export into
// Log Analytics (the `s3` input and one of the Azure outputs) to a gd2sentinel config that writes
// the same AWSGuardDuty_CL columns through the Logs Ingestion API, starting where Logstash's
// sincedb left off, and a report: what was carried over, what was not and why, where each
// secret must now come from, and the steps left. No secret value is ever written or printed.

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/time.h"
#include "migrate/logstash_config.h"

namespace gd2s::migrate {

struct LogstashMigrationRequest {
  std::string config_path;  // the Logstash file or folder, as given (named in the header)
  logstash::PipelineConfig pipeline;
  int s3_input = 0;  // --s3-input N (1-based); 0: not given
  // Starting point: --sincedb, else the input's sincedb_path, else the default file under the
  // first of data_dirs that has it; or --start-after TIME; or --from-beginning.
  std::string sincedb;
  std::vector<std::string> data_dirs;
  std::string start_after;
  bool from_beginning = false;
  // What only the person migrating knows (empty: not given).
  std::string endpoint;
  std::string dcr_immutable_id;
  std::string workspace_resource_id;
  std::string tenant_id;
  std::string client_id;
  std::string output_path;  // where the config goes (for the steps); empty: stdout
  /// The migrate process's environment, for `${VAR}` in non-secret values.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  Timestamp now{};  // the header's time
};

struct LogstashMigration {
  std::string config;  // gd2sentinel's TOML
  std::string report;  // for a person
};

/// The pipeline cannot be migrated as it is, or a flag is missing: the message says what was
/// found (with lines) and what to do. Exit status 2.
class MigrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

LogstashMigration migrate_logstash(const LogstashMigrationRequest& request);

}  // namespace gd2s::migrate
