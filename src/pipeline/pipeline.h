#pragma once
// The pipeline: source → (bounded queue) → transform workers → (bounded queue) → sink.
// It knows units, records and acknowledgements, not protocols. A record is settled exactly
// once — accepted by the sink, filtered on purpose, or dead-lettered with its reason — and a
// unit commits when all of its records are settled.

#include <atomic>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <string>

#include "core/dead_letter.h"
#include "core/duration.h"
#include "pipeline/bounded_queue.h"
#include "pipeline/stats.h"
#include "sinks/sink.h"
#include "sources/source.h"
#include "transform/dedupe.h"
#include "transform/filter.h"
#include "transform/schema.h"

namespace gd2s {

struct PipelineOptions {
  size_t workers = 2;
  size_t raw_queue_bytes = 16 * 1024 * 1024;
  size_t row_queue_bytes = 16 * 1024 * 1024;
  size_t batch_rows = 500;
  /// The longest a row waits for more rows to share its hand-over to the sink (latency bound).
  Duration max_linger = std::chrono::milliseconds(200);
  /// A row larger than this can never be sent (the Logs Ingestion API's 1 MiB per request).
  size_t max_row_bytes = 1024 * 1024;
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

  // RecordEmitter (called by the source)
  void record(const UnitPtr& unit, RawRecord record) override;
  void problem(const UnitPtr& unit, ReadProblem problem) override;
  // DeliveryReceiver (called by the sink)
  void accepted(std::span<OutboundRow> rows) override;
  void rejected(OutboundRow& row, std::string_view reason) override;

 private:
  struct RawItem {
    UnitPtr unit;
    uint64_t line = 0;
    std::string text;
  };

  void run_worker();
  void run_sink();
  void transform(RawItem& item, class FindingDecoder& decoder, std::string& row);
  void dead_letter(const UnitPtr& unit, std::string_view stage, std::string reason, uint64_t line,
                   std::string original);
  void fail(std::exception_ptr error, std::string_view stage);

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

  std::mutex failure_mutex_;
  std::string failure_;
};

}  // namespace gd2s
