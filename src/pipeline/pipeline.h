#pragma once
// The pipeline: source → (bounded queue) → transform workers → (bounded queue) → sink.
// It knows units, records and acknowledgements, not protocols. A record is settled exactly
// once — accepted by the sink, filtered on purpose, or dead-lettered with its reason — and a
// unit commits when all of its records are settled.

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

#include "core/bounded_queue.h"
#include "core/dead_letter.h"
#include "core/duration.h"
#include "core/metrics.h"
#include "core/mutex.h"
#include "pipeline/stats.h"
#include "sinks/sink.h"
#include "sources/source.h"
#include "transform/dedupe.h"
#include "transform/filter.h"
#include "transform/schema.h"

namespace gd2s {

struct PipelineOptions {
  size_t workers = 2;
  size_t raw_queue_bytes = 256 * 1024;
  size_t row_queue_bytes = 256 * 1024;
  size_t batch_rows = 500;
  /// The longest a row waits for more rows to share its hand-over to the sink (latency bound).
  Duration max_linger = std::chrono::milliseconds(200);
  /// A row larger than this can never be sent (the Logs Ingestion API's 1 MiB per request).
  size_t max_row_bytes = 1024 * 1024;
  /// How sources split their units into records (the record limit, what an oversize one keeps).
  ReaderLimits reader;
};

/// The sink or the dead-letter store failed; records not yet settled stay unacknowledged.
class PipelineError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Pipeline final : public RecordEmitter, public DeliveryReceiver {
 public:
  Pipeline(Source& source, Sink& sink, DeadLetterStore& dead_letters, const Schema& schema,
           const FindingFilter& filter, Dedupe& dedupe, PipelineOptions options);

  /// Runs the source until it ends or stop() is called, then drains every record in flight.
  /// Throws PipelineError if a stage failed.
  void run();
  /// Stops reading; what was read is still delivered. Safe from any thread.
  void stop() { stop_.request_stop(); }

  const PipelineStats& stats() const { return stats_; }

  /// Records read and not yet accepted, filtered, deduplicated or dead-lettered.
  uint64_t records_pending() const;
  /// Writes the pipeline's metric families: records by outcome, units, queues, checkpoint lag,
  /// the last accepted batch. Safe from any thread.
  void write_metrics(MetricsWriter& out) const;
  /// Ready when the sink accepted rows within `window` (counting from the start), or nothing
  /// waits to be sent; the reason says which, or what is wrong.
  [[nodiscard]] Readiness ready(Duration window) const;

  // RecordEmitter (called by the source)
  void record(const UnitPtr& unit, RawRecord record) override;
  void problem(const UnitPtr& unit, ReadProblem problem) override;
  ReaderLimits reader_limits() const override { return options_.reader; }
  // DeliveryReceiver (called by the sink)
  void accepted(std::span<OutboundRow> rows) override;
  void rejected(OutboundRow& row, std::string_view reason) override;

 private:
  struct RawItem {
    UnitPtr unit;
    uint64_t line = 0;
    std::string text;
  };

  // What a worker carries from one batch of records to the next, so its buffers are reused.
  struct WorkerScratch;

  void run_worker();
  void run_sink();
  void transform(std::vector<RawItem>& items, WorkerScratch& scratch);
  std::optional<OutboundRow> map(RawItem& item, WorkerScratch& scratch);
  void dead_letter(const UnitPtr& unit, DeadLetterStage stage, std::string reason, uint64_t line,
                   std::string original, std::optional<TruncatedOriginal> truncated = std::nullopt);
  void fail(std::exception_ptr error, std::string_view stage) EXCLUDES(failure_mutex_);

  Source& source_;
  Sink& sink_;
  DeadLetterStore& dead_letters_;
  const Schema& schema_;
  const FindingFilter& filter_;
  Dedupe& dedupe_;
  PipelineOptions options_;

  std::stop_source stop_;
  BoundedQueue<RawItem> raw_queue_;
  BoundedQueue<OutboundRow> row_queue_;
  PipelineStats stats_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::atomic<std::chrono::steady_clock::rep> last_accepted_{started_.time_since_epoch().count()};
  // Units that have records, for the age of the oldest one not yet committed; pruned as it
  // grows, so it holds about as many units as are in flight.
  mutable Mutex units_mutex_;
  mutable std::vector<std::weak_ptr<UnitOfWork>> units_ GUARDED_BY(units_mutex_);
  mutable size_t units_pruned_size_ GUARDED_BY(units_mutex_) = 0;

  Mutex failure_mutex_;
  std::string failure_ GUARDED_BY(failure_mutex_);
};

}  // namespace gd2s
