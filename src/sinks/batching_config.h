#pragma once
// The keys both Azure sinks share: how requests are cut, how many fly, how long retries wait.

#include <cstdint>
#include <string_view>

#include "core/config_reader.h"
#include "core/duration.h"
#include "sinks/http_batch_sink.h"

namespace gd2s {

struct BatchingConfig {
  int64_t max_batch_bytes = 0;
  int64_t concurrency = 0;
  Duration max_retry_delay = std::chrono::seconds(60);
};

/// `limit` is the API's own size limit per request, `limit_text` says which.
void read_batching_config(TableReader& reader, BatchingConfig& config, int64_t limit,
                          std::string_view limit_text);

/// As the batch sender takes them.
HttpBatchSinkOptions batching_options(const BatchingConfig& config);

}  // namespace gd2s
