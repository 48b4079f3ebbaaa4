#pragma once
// Sources hand out units of work and the records read from them. They know nothing of sinks:
// the RecordEmitter they write to is the pipeline.

#include <cstdint>
#include <stop_token>
#include <string_view>

#include "core/metrics.h"
#include "core/unit_of_work.h"
#include "decode/record_reader.h"

namespace gd2s {

class RecordEmitter {
 public:
  virtual ~RecordEmitter() = default;
  /// A record read from `unit`. Blocks while the pipeline is full.
  virtual void record(const UnitPtr& unit, RawRecord record) = 0;
  /// Something in `unit` that is not a record (a bad line, a corrupt stream); dead-lettered.
  virtual void problem(const UnitPtr& unit, ReadProblem problem) = 0;
  /// How the units' bytes are to be split into records.
  virtual ReaderLimits reader_limits() const { return {}; }
};

/// What a source did with its units, for the summary and the exit status.
struct SourceTotals {
  uint64_t units_opened = 0;
  uint64_t units_committed = 0;
  uint64_t units_abandoned = 0;  // could not be read; read again on the next run
  /// For a one-pass backfill, the units this pass will read, once a count is complete
  /// (0 until then, and for sources that cannot know): for progress and its ETA.
  uint64_t units_expected = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  /// The source's kind, as in the config: "files", "s3_listing", ...
  virtual std::string_view name() const = 0;
  /// Reads until there is nothing more (finite sources) or a stop is requested; then returns.
  /// Every unit it opened is sealed before it returns. Throws on failures it cannot get past.
  virtual void run(RecordEmitter& out, std::stop_token stop) = 0;
  /// Safe to call from any thread; final once the pipeline has drained.
  virtual SourceTotals totals() const = 0;
  /// Writes the source's own metric families beyond the pipeline's; none by default.
  virtual void write_metrics(MetricsWriter& /*out*/) const {}
};

}  // namespace gd2s
