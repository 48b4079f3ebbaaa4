#pragma once
// What a run has done so far, for people: on a terminal during a one-pass backfill, one line
// redrawn every second (objects done of those to read, findings per second, ETA); elsewhere a
// log line every interval.

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "core/duration.h"
#include "pipeline/stats.h"
#include "sources/source.h"

namespace gd2s {

/// "objects 120/2,000 done (6%), 4,100 findings read, 820 findings/s, ETA 2m17s"; without a
/// known total: "objects 120 done, 4,100 findings read, 820 findings/s".
std::string progress_text(const SourceTotals& totals, uint64_t findings,
                          std::chrono::duration<double> elapsed);

class ProgressReporter {
 public:
  /// `terminal`: redraw one line on `out` every second; otherwise log (info) every `interval`
  /// (0: never). Starts at once; stops, and ends the line, when destroyed.
  ProgressReporter(const Source& source, const PipelineStats& stats, bool terminal,
                   Duration interval, std::FILE* out = stderr);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

 private:
  void loop(std::stop_token stop);
  std::string text() const;

  const Source& source_;
  const PipelineStats& stats_;
  const bool terminal_;
  const Duration interval_;
  std::FILE* out_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::jthread thread_;
};

}  // namespace gd2s
