#include "pipeline/dead_letter_replay.h"

#include <atomic>
#include <map>
#include <memory>

#include "core/byte_stream.h"
#include "core/mutex.h"
#include "sources/unit_reader.h"

namespace gd2s {
namespace {

// The letters whose original is a record (stages decode and transform): one unit each, read
// from memory as any source reads its bytes.
class ReplaySource final : public Source {
 public:
  struct Item {
    UnitPtr unit;
    const std::string* original;
  };
  explicit ReplaySource(std::vector<Item> items) : items_(std::move(items)) {}

  std::string_view name() const override { return "dead_letters"; }

  void run(RecordEmitter& out, std::stop_token stop) override {
    for (const Item& item : items_) {
      if (stop.stop_requested()) break;
      opened_.fetch_add(1, std::memory_order_relaxed);
      MemoryByteStream bytes(*item.original);
      read_unit(item.unit, bytes, out, stop);
    }
  }

  SourceTotals totals() const override {
    SourceTotals totals;
    totals.units_opened = opened_.load(std::memory_order_relaxed);
    for (const Item& item : items_) totals.units_committed += item.unit->committed() ? 1 : 0;
    return totals;
  }

 private:
  std::vector<Item> items_;
  std::atomic<uint64_t> opened_{0};
};

std::string what(const std::exception& error, std::string_view stage) {
  return std::string(stage) + ": " + error.what();
}

// A dead letter that kept only the start of its original is never sent: it is not the record.
std::string not_replayable(const DeadLetter& letter) {
  return "cannot be replayed: the dead letter keeps only the first " +
         std::to_string(letter.original.size()) + " of the original's " +
         std::to_string(letter.truncated->bytes) + " bytes (SHA-256 " + letter.truncated->sha256 +
         "); the whole record is still in " + letter.unit +
         (letter.line > 0 ? " at line/element " + std::to_string(letter.line) : std::string());
}

}  // namespace

// Takes what a run would write to the dead letters, and the sink's answers for rows sent as
// they are, and keeps the reasons by unit instead.
class ReplayRefusals final : public DeadLetterStore, public DeliveryReceiver {
 public:
  // DeadLetterStore (the pipeline)
  void write(const DeadLetter& letter) override { add(letter.unit, letter.reason); }

  // DeliveryReceiver (the sink, for rows sent as they are)
  void accepted(std::span<OutboundRow> rows) override {
    for (OutboundRow& row : rows) row.ticket.unit->settle(Settlement::kAccepted);
  }
  void rejected(OutboundRow& row, std::string_view reason) override {
    add(row.ticket.unit->key(), std::string(reason));
    row.ticket.unit->settle(Settlement::kDeadLettered);
  }

  void clear() {
    MutexLock lock(mutex_);
    reasons_.clear();
  }
  std::string reasons(const std::string& unit_key) const {
    MutexLock lock(mutex_);
    auto it = reasons_.find(unit_key);
    return it == reasons_.end() ? std::string() : it->second;
  }

 private:
  void add(const std::string& unit_key, const std::string& reason) EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    std::string& all = reasons_[unit_key];
    all += (all.empty() ? "" : "; ") + reason;
  }

  mutable Mutex mutex_;
  std::map<std::string, std::string> reasons_ GUARDED_BY(mutex_);
};

DeadLetterReplayer::DeadLetterReplayer(Sink& sink, const Schema& schema,
                                       const FindingFilter& filter, Dedupe& dedupe,
                                       PipelineOptions options)
    : sink_(sink),
      schema_(schema),
      filter_(filter),
      dedupe_(dedupe),
      options_(options),
      refusals_(std::make_unique<ReplayRefusals>()) {}

DeadLetterReplayer::~DeadLetterReplayer() = default;

std::vector<ReplayResult> DeadLetterReplayer::replay(std::span<const DeadLetterEntry> entries) {
  // Unit keys name the letter (its line in the dead-letter file), so that reasons find it. A
  // unit counts as replayed only when it was read to its end and every record was settled.
  auto complete = std::make_shared<std::vector<std::atomic<bool>>>(entries.size());
  std::vector<UnitPtr> units;
  units.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i)
    units.push_back(std::make_shared<UnitOfWork>(
        entries[i].letter.source, "dead letter " + std::to_string(entries[i].number), 0,
        [complete, i](const UnitOfWork&, UnitOfWork::Ending ending) {
          if (ending == UnitOfWork::Ending::kComplete) (*complete)[i].store(true);
        }));

  ReplayRefusals& refusals = *refusals_;
  refusals.clear();
  std::string& stopped = stopped_;

  // Rows the sink refused: the original is the row.
  std::vector<OutboundRow> rows;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].letter.stage != DeadLetterStage::kSink || entries[i].letter.truncated) continue;
    units[i]->add_record();
    units[i]->seal(UnitOfWork::Ending::kComplete);
    rows.push_back({entries[i].letter.original,
                    RecordTicket{units[i], entries[i].letter.line, std::nullopt, 0, {}}});
  }
  if (!rows.empty() && stopped.empty()) {
    try {
      sink_.send(std::move(rows), refusals);
      sink_.flush();
    } catch (const std::exception& error) {
      stopped = what(error, "sink " + std::string(sink_.name()));
    }
  }

  // Records that failed to decode or transform: the pipeline, as in a run.
  std::vector<ReplaySource::Item> items;
  for (size_t i = 0; i < entries.size(); ++i)
    if (entries[i].letter.stage != DeadLetterStage::kSink && !entries[i].letter.truncated)
      items.push_back({units[i], &entries[i].letter.original});
  if (!items.empty() && stopped.empty()) {
    auto source = std::make_unique<ReplaySource>(std::move(items));
    auto pipeline =
        std::make_unique<Pipeline>(*source, sink_, refusals, schema_, filter_, dedupe_, options_);
    try {
      pipeline->run();
    } catch (const std::exception& error) {
      stopped = error.what();
      // A request in flight when the sink stopped may still report to it.
      stopped_source_ = std::move(source);
      stopped_pipeline_ = std::move(pipeline);
    }
  }

  std::vector<ReplayResult> results(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    ReplayResult& result = results[i];
    if (entries[i].letter.truncated) {
      result.failure = not_replayable(entries[i].letter);
      continue;
    }
    UnitCounts counts = units[i]->counts();
    result.rows_sent = counts.accepted;
    result.failure = refusals.reasons(units[i]->key());
    if (!result.failure.empty()) continue;
    bool read_to_end = (*complete)[i].load();
    if (read_to_end && counts.emitted == 0) {
      result.failure = "the original holds no record to replay";
    } else if (read_to_end) {
      result.replayed = true;
    } else {
      result.failure = stopped.empty() ? "not delivered" : stopped;
    }
  }
  return results;
}

}  // namespace gd2s
