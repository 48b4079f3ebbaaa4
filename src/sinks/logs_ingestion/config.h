#pragma once
// [sink.logs_ingestion]: the Azure Monitor Logs Ingestion API through a data collection rule.

#include <cstdint>
#include <span>
#include <string>

#include "core/config_reader.h"
#include "sinks/batching_config.h"

namespace gd2s {

struct LogsIngestionConfig : BatchingConfig {
  LogsIngestionConfig() : BatchingConfig{1048576, 4, std::chrono::seconds(60)} {}
  std::string endpoint;
  std::string dcr_immutable_id;
  std::string stream;
  std::string dcr_resource_id;  // optional: lets `check` read the rule's stream declaration
  /// Optional: the Log Analytics workspace's ARM id, for `check` and `migrate table` to read
  /// and migrate the table before a rule exists.
  std::string workspace_resource_id;
  int64_t gzip_level = 1;
};

/// The keys of [sink.logs_ingestion], as docs/configuration.md documents them.
std::span<const OptionDoc> logs_ingestion_options();
/// `rule_required`: endpoint, dcr_immutable_id and stream must be set (a run); false before the
/// rule exists (`migrate table`, `check`), when they are checked only if present.
void read_logs_ingestion_config(TableReader& reader, LogsIngestionConfig& config,
                                bool rule_required);

}  // namespace gd2s
