#pragma once
// Replays dead letters once their cause is fixed, through the same code as a run. A record that
// failed to decode or transform is read again as a one-record unit by a real Pipeline: the unit
// reader, the decoder, the filter, the dedupe window, the schema and the sink, exactly as when
// it first came. A row the sink refused is the row itself, and goes to the sink as it is.
// Nothing is dead-lettered again: a letter that fails once more gets its new reason instead.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "pipeline/pipeline.h"
#include "sinks/dead_letter_reader.h"

namespace gd2s {

class ReplayRefusals;

/// What became of one replayed dead letter.
struct ReplayResult {
  /// Every record it holds is settled: accepted by the sink, dropped by the filter on purpose,
  /// or found already delivered by the dedupe window.
  bool replayed = false;
  uint64_t rows_sent = 0;  // of those, the rows the sink accepted
  std::string failure;     // why it is not replayed
};

class DeadLetterReplayer {
 public:
  /// The configured sink, schema, filter and dedupe window, as a run builds them.
  DeadLetterReplayer(Sink& sink, const Schema& schema, const FindingFilter& filter, Dedupe& dedupe,
                     PipelineOptions options);
  ~DeadLetterReplayer();
  DeadLetterReplayer(const DeadLetterReplayer&) = delete;
  DeadLetterReplayer& operator=(const DeadLetterReplayer&) = delete;

  /// Replays `entries`; one result for each, in the same order. A sink that stops for good
  /// (a refusal only configuration can fix) fails the letters it had not settled, and those of
  /// every later call, with its reason.
  std::vector<ReplayResult> replay(std::span<const DeadLetterEntry> entries);
  /// Why the sink stopped for good; empty while it works.
  const std::string& stopped() const { return stopped_; }

 private:
  Sink& sink_;
  const Schema& schema_;
  const FindingFilter& filter_;
  Dedupe& dedupe_;
  PipelineOptions options_;
  // The sink's receivers live as long as the replayer, since a sink that stopped for good may
  // still report a request that was in flight: destroy the sink first.
  std::unique_ptr<ReplayRefusals> refusals_;
  std::string stopped_;  // why the sink stopped for good, once it has
  std::unique_ptr<Source> stopped_source_;
  std::unique_ptr<Pipeline> stopped_pipeline_;
};

}  // namespace gd2s
