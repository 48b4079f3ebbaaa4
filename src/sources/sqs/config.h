#pragma once
// [source.sqs]: a queue of S3 event notifications and EventBridge GuardDuty events.

#include <cstdint>
#include <span>
#include <string>

#include "core/config_reader.h"
#include "core/duration.h"

namespace gd2s {

struct SqsConfig {
  std::string queue_url;
  std::string region;  // empty in the file: taken from the queue URL's host
  int64_t receivers = 2;
  int64_t max_receive_count = 5;
  Duration wait_time = std::chrono::seconds(20);
  Duration visibility_timeout = std::chrono::seconds(0);  // 0: the queue's own
};

/// The keys of [source.sqs], as docs/configuration.md documents them.
std::span<const OptionDoc> sqs_source_options();
void read_sqs_source_config(TableReader& reader, SqsConfig& config);

}  // namespace gd2s
