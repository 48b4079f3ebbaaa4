#pragma once
// The standard process_* families (memory, CPU, file descriptors, start time) and
// gd2sentinel_build_info, read from /proc and getrusage at scrape time.

#include <chrono>

#include "core/metrics.h"

namespace gd2s {

void write_process_metrics(MetricsWriter& out, std::chrono::system_clock::time_point started);

}  // namespace gd2s
