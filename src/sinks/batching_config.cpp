#include "sinks/batching_config.h"

#include <string>

namespace gd2s {

void read_batching_config(TableReader& r, BatchingConfig& config, int64_t limit,
                          std::string_view limit_text) {
  r.read("max_batch_bytes", config.max_batch_bytes);
  r.read("concurrency", config.concurrency);
  r.read("max_retry_delay", config.max_retry_delay);
  if (config.max_batch_bytes < 1024 || config.max_batch_bytes > limit)
    r.issue("max_batch_bytes", "must be between 1024 and " + std::to_string(limit) + " (" +
                                   std::string(limit_text) + ")");
  if (config.concurrency < 1 || config.concurrency > 64)
    r.issue("concurrency", "must be between 1 and 64");
  if (config.max_retry_delay < std::chrono::seconds(1))
    r.issue("max_retry_delay", "must be at least 1s");
}

HttpBatchSinkOptions batching_options(const BatchingConfig& config) {
  HttpBatchSinkOptions batching;
  batching.max_batch_bytes = static_cast<size_t>(config.max_batch_bytes);
  batching.concurrency = static_cast<size_t>(config.concurrency);
  batching.backoff.cap = config.max_retry_delay;
  return batching;
}

}  // namespace gd2s
