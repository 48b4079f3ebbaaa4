#pragma once
// [sink.data_collector]: the HTTP Data Collector API (retired by Microsoft on 14 September 2026).

#include <span>
#include <string>

#include "core/config_reader.h"
#include "core/secret.h"
#include "sinks/batching_config.h"

namespace gd2s {

struct DataCollectorConfig : BatchingConfig {
  DataCollectorConfig() : BatchingConfig{30000000, 2, std::chrono::seconds(60)} {}
  std::string workspace_id;
  Secret shared_key;
  std::string log_type = "AWSGuardDuty";
  std::string endpoint;  // default https://<workspace_id>.ods.opinsights.azure.<cloud suffix>
  std::string azure_resource_id;
};

/// The keys of [sink.data_collector], as docs/configuration.md documents them.
std::span<const OptionDoc> data_collector_options();
void read_data_collector_config(TableReader& reader, DataCollectorConfig& config);

}  // namespace gd2s
