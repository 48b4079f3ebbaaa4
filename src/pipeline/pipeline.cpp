#include "pipeline/pipeline.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <thread>
#include <vector>

#include "decode/finding_decoder.h"
#include "sinks/batch_plan.h"
#include "transform/enrich.h"

namespace gd2s {

namespace {
constexpr size_t kItemOverhead = 128;  // bookkeeping per queued item, for the byte bounds
constexpr size_t kWorkerBatch = 32;    // records a worker takes from the queue at most at once
constexpr size_t kSinkBatch = 32;      // rows the sink thread takes at once (held beside the queue)
}  // namespace

Pipeline::Pipeline(Source& source, Sink& sink, DeadLetterStore& dead_letters, const Schema& schema,
                   const FindingFilter& filter, Dedupe& dedupe, PipelineOptions options)
    : source_(source),
      sink_(sink),
      dead_letters_(dead_letters),
      schema_(schema),
      filter_(filter),
      dedupe_(dedupe),
      options_(options),
      raw_queue_(options.raw_queue_bytes),
      row_queue_(options.row_queue_bytes) {}

void Pipeline::run() {
  std::thread sink_thread([this] { run_sink(); });
  std::vector<std::thread> workers;
  for (size_t i = 0; i < std::max<size_t>(1, options_.workers); ++i)
    workers.emplace_back([this] { run_worker(); });

  try {
    source_.run(*this, stop_.get_token());
  } catch (...) {
    fail(std::current_exception(), "source");
  }
  raw_queue_.close();
  for (auto& worker : workers) worker.join();
  row_queue_.close();
  sink_thread.join();

  MutexLock lock(failure_mutex_);
  if (!failure_.empty()) throw PipelineError(failure_);
}

void Pipeline::fail(std::exception_ptr error, std::string_view stage) {
  std::string what;
  try {
    std::rethrow_exception(std::move(error));
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "unknown error";
  }
  {
    MutexLock lock(failure_mutex_);
    if (failure_.empty()) failure_ = std::string(stage) + ": " + what;
  }
  spdlog::error("{} failed: {}; stopping, records not yet delivered stay uncommitted", stage, what);
  stop_.request_stop();
  // Unblock everyone: queued records are dropped unacknowledged, so their units never commit
  // and are read again on the next run.
  raw_queue_.close();
  row_queue_.close();
}

namespace {

// Drops committed and released units; returns the oldest open time among the rest.
std::optional<std::chrono::steady_clock::time_point> prune_units(
    std::vector<std::weak_ptr<UnitOfWork>>& units) {
  std::optional<std::chrono::steady_clock::time_point> oldest;
  std::erase_if(units, [&](const std::weak_ptr<UnitOfWork>& weak) {
    UnitPtr unit = weak.lock();
    if (!unit || unit->committed()) return true;
    if (!oldest || unit->opened_at() < *oldest) oldest = unit->opened_at();
    return false;
  });
  return oldest;
}

}  // namespace

void Pipeline::record(const UnitPtr& unit, RawRecord record) {
  stats_.records_read.fetch_add(1, std::memory_order_relaxed);
  if (unit->add_record() == unit->skipped_records()) {  // the unit's first record
    MutexLock lock(units_mutex_);
    units_.push_back(unit);
    if (units_.size() > 2 * units_pruned_size_ + 64) {
      prune_units(units_);
      units_pruned_size_ = units_.size();
    }
  }
  RawItem item{unit, record.line, std::move(record.text)};
  size_t cost = item.text.size() + kItemOverhead;
  raw_queue_.push(item, cost);  // false only after a failure: the unit then never commits
}

void Pipeline::problem(const UnitPtr& unit, ReadProblem problem) {
  stats_.records_read.fetch_add(1, std::memory_order_relaxed);
  unit->add_record();
  dead_letter(unit, DeadLetterStage::kDecode, std::move(problem.reason), problem.line,
              std::move(problem.original), std::move(problem.truncated));
}

// A dead letter that cannot be written (a full or failing dead-letter file) stops the run; the
// record stays unsettled, so its unit is not committed and is read again by the next run.
void Pipeline::dead_letter(const UnitPtr& unit, DeadLetterStage stage, std::string reason,
                           uint64_t line, std::string original,
                           std::optional<TruncatedOriginal> truncated) {
  DeadLetter letter{stage, std::move(reason),   unit->source(), unit->key(),
                    line,  std::move(original), now_utc(),      std::move(truncated)};
  try {
    dead_letters_.write(letter);
  } catch (...) {
    fail(std::current_exception(), "dead-letter store");
    return;
  }
  spdlog::warn("{} line {}: {} (dead-lettered)", unit->key(), line, letter.reason);
  stats_.dead_letters.fetch_add(1, std::memory_order_relaxed);
  unit->settle(Settlement::kDeadLettered);
}

struct Pipeline::WorkerScratch {
  FindingDecoder decoder;
  std::string row;
  std::vector<OutboundRow> rows;
  std::vector<FindingVersion> versions;
};

void Pipeline::run_worker() {
  WorkerScratch scratch;
  std::vector<RawItem> items;
  while (raw_queue_.pop_some(items, kWorkerBatch)) {
    try {
      transform(items, scratch);
    } catch (...) {
      fail(std::current_exception(), "transform");
      return;
    }
    items.clear();
  }
}

// Records are taken from the queue in batches of what is waiting (never waiting for more), so
// the dedupe check and the hand-over to the sink cost one lock and one state read per batch.
void Pipeline::transform(std::vector<RawItem>& items, WorkerScratch& scratch) {
  scratch.rows.clear();
  scratch.versions.clear();
  for (RawItem& item : items)
    if (auto row = map(item, scratch)) scratch.rows.push_back(std::move(*row));
  if (dedupe_.enabled()) {
    std::vector<bool> duplicate = dedupe_.find_duplicates(scratch.versions);
    size_t kept = 0;
    for (size_t i = 0; i < scratch.rows.size(); ++i) {
      OutboundRow& row = scratch.rows[i];
      FindingVersion& version = scratch.versions[i];
      if (duplicate[i]) {
        spdlog::debug("{} line {}: finding {} updated {} already delivered", row.ticket.unit->key(),
                      row.ticket.line, version.id, version.updated_at);
        stats_.duplicates.fetch_add(1, std::memory_order_relaxed);
        row.ticket.unit->settle(Settlement::kFiltered);
        continue;
      }
      row.ticket.version = std::move(version);
      if (kept != i) scratch.rows[kept] = std::move(row);
      ++kept;
    }
    scratch.rows.resize(kept);
  }
  // false only after a failure: the units then never commit
  row_queue_.push_all(scratch.rows,
                      [](const OutboundRow& row) { return row.json.size() + kItemOverhead; });
}

// Decodes, filters and maps one record; a row to send, or nothing when the record was settled
// here (filtered or dead-lettered). With dedupe on, the row's version is appended to
// scratch.versions, one per row.
std::optional<OutboundRow> Pipeline::map(RawItem& item, WorkerScratch& scratch) {
  auto decoded = scratch.decoder.decode(item.text);
  if (auto* failure = std::get_if<DecodeFailure>(&decoded)) {
    dead_letter(item.unit, DeadLetterStage::kDecode, std::move(failure->reason), item.line,
                std::move(item.text));
    return std::nullopt;
  }
  const Finding& finding = std::get<Finding>(decoded);
  if (auto reason = filter_.drop_reason(finding)) {
    spdlog::debug("{} line {}: filtered: {}", item.unit->key(), item.line, *reason);
    stats_.filtered.fetch_add(1, std::memory_order_relaxed);
    item.unit->settle(Settlement::kFiltered);
    return std::nullopt;
  }
  // Written into a buffer the worker keeps, then copied once at its exact size.
  scratch.row.clear();
  schema_.write_row(finding, enrich(finding), scratch.row);
  if (scratch.row.size() > options_.max_row_bytes) {
    dead_letter(item.unit, DeadLetterStage::kTransform,
                "the " + std::string(schema_.name()) + " row is " +
                    std::to_string(scratch.row.size()) + " bytes, over the " +
                    std::to_string(options_.max_row_bytes) + "-byte limit for one record",
                item.line, std::move(item.text));
    return std::nullopt;
  }
  if (dedupe_.enabled())
    scratch.versions.push_back({std::string(finding.id), format_iso8601(finding.updated_at)});
  return OutboundRow{
      scratch.row,
      {item.unit, item.line, std::nullopt, finding.severity, std::string(finding.type)}};
}

void Pipeline::run_sink() {
  // Rows go to the sink in groups of batch_rows; or, to a sink that cuts rows into requests,
  // into the request it gathers as they come, sealed at about one request's bytes (it writes
  // each row into the request's array at once: no group of rows is held here beside it). No row
  // waits longer than max_linger for its group to fill, so a steady trickle is not held back.
  const size_t batch_bytes = sink_.preferred_batch_bytes();
  const bool gathers = batch_bytes > 0;
  const size_t batch_rows = gathers ? SIZE_MAX : options_.batch_rows;
  BatchBudget budget(gathers ? batch_bytes : SIZE_MAX / 2);
  std::vector<OutboundRow> batch;  // rows of the group not yet handed over
  std::vector<OutboundRow> arrived;
  auto oldest = std::chrono::steady_clock::now();
  auto hand_over = [&] {
    if (batch.empty()) return;
    std::vector<OutboundRow> rows;
    rows.swap(batch);
    sink_.gather(std::move(rows), *this);
  };
  auto send = [&] {
    if (budget.count() == 0) return;
    budget.reset();
    if (gathers) {
      hand_over();
      sink_.seal();
      return;
    }
    std::vector<OutboundRow> rows;
    rows.swap(batch);
    sink_.send(std::move(rows), *this);
  };
  try {
    for (;;) {
      auto waited = std::chrono::steady_clock::now() - oldest;
      auto wait =
          budget.count() == 0
              ? options_.max_linger
              : std::max<Duration>(Duration(0), options_.max_linger -
                                                    std::chrono::duration_cast<Duration>(waited));
      arrived.clear();
      if (row_queue_.pop_some_for(arrived, kSinkBatch, wait) > 0) {
        for (OutboundRow& row : arrived) {
          if (!budget.fits(row.json.size())) send();
          if (budget.count() == 0) oldest = std::chrono::steady_clock::now();
          budget.add(row.json.size());
          batch.push_back(std::move(row));
          if (budget.count() >= batch_rows) send();
        }
        if (gathers) hand_over();
        if (std::chrono::steady_clock::now() - oldest >= options_.max_linger) send();
        continue;
      }
      send();  // the oldest row waited long enough, or the end: do not hold rows back
      if (row_queue_.closed_and_empty()) break;
    }
    sink_.flush();
  } catch (...) {
    fail(std::current_exception(), "sink " + std::string(sink_.name()));
  }
}

void Pipeline::accepted(std::span<OutboundRow> rows) {
  last_accepted_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                       std::memory_order_relaxed);
  std::vector<FindingVersion> versions;
  for (const OutboundRow& row : rows)
    if (row.ticket.version) versions.push_back(*row.ticket.version);
  dedupe_.delivered(versions);  // staged before the units commit: a crash in between resends
  // A unit with delivered versions writes them to the state store before it commits: the hook
  // is set once per run of rows from one unit (a request's rows share a few), not per row.
  std::function<void()> flush = [&dedupe = dedupe_] { dedupe.flush(); };
  const UnitOfWork* hooked = nullptr;
  for (OutboundRow& row : rows) {
    stats_.rows_accepted.fetch_add(1, std::memory_order_relaxed);
    stats_.count_accepted(row.ticket.severity, row.ticket.type);
    if (row.ticket.version && row.ticket.unit.get() != hooked) {
      row.ticket.unit->before_commit(flush);
      hooked = row.ticket.unit.get();
    }
    row.ticket.unit->settle(Settlement::kAccepted);
  }
}

void Pipeline::rejected(OutboundRow& row, std::string_view reason) {
  if (row.ticket.version) dedupe_.abandoned(*row.ticket.version);
  dead_letter(row.ticket.unit, DeadLetterStage::kSink, std::string(reason), row.ticket.line,
              row.json);
}

uint64_t Pipeline::records_pending() const {
  uint64_t settled = stats_.rows_accepted.load() + stats_.filtered.load() +
                     stats_.duplicates.load() + stats_.dead_letters.load();
  uint64_t read = stats_.records_read.load();
  return read > settled ? read - settled : 0;
}

void Pipeline::write_metrics(MetricsWriter& out) const {
  const std::string source(source_.name()), sink(sink_.name());
  auto counter = [&](std::string_view name, std::string_view help, uint64_t value) {
    out.family(name, MetricType::kCounter, help);
    out.sample({{"source", source}, {"sink", sink}}, static_cast<double>(value));
  };
  counter("gd2sentinel_records_read_total", "Records read from the source, bad ones included",
          stats_.records_read.load());
  counter("gd2sentinel_records_filtered_total",
          "Findings dropped on purpose by the filter (severity, type, sample, archived)",
          stats_.filtered.load());
  counter("gd2sentinel_records_deduplicated_total",
          "Finding versions already delivered, not sent again", stats_.duplicates.load());
  counter("gd2sentinel_records_sent_total", "Rows the sink accepted", stats_.rows_accepted.load());
  counter("gd2sentinel_records_dead_lettered_total",
          "Records kept in the dead letters with their reason", stats_.dead_letters.load());
  out.family("gd2sentinel_records_pending", MetricType::kGauge,
             "Records read and not yet settled (in the queues or in the sink)");
  out.sample({{"source", source}, {"sink", sink}}, static_cast<double>(records_pending()));

  SourceTotals totals = source_.totals();
  counter("gd2sentinel_units_opened_total", "Units of work (files, objects, messages) opened",
          totals.units_opened);
  counter("gd2sentinel_units_committed_total",
          "Units committed: every record delivered, filtered or dead-lettered",
          totals.units_committed);
  counter("gd2sentinel_units_abandoned_total",
          "Units that could not be read to the end; read again later", totals.units_abandoned);
  out.family("gd2sentinel_units_in_flight", MetricType::kGauge,
             "Units opened and neither committed nor abandoned");
  uint64_t done = totals.units_committed + totals.units_abandoned;
  out.sample({{"source", source}},
             static_cast<double>(totals.units_opened > done ? totals.units_opened - done : 0));

  out.family("gd2sentinel_queue_bytes", MetricType::kGauge,
             "Bytes waiting in the pipeline's bounded queues");
  out.sample({{"queue", "records"}}, static_cast<double>(raw_queue_.cost()));
  out.sample({{"queue", "rows"}}, static_cast<double>(row_queue_.cost()));
  out.family("gd2sentinel_queue_capacity_bytes", MetricType::kGauge,
             "The bounded queues' capacities");
  out.sample({{"queue", "records"}}, static_cast<double>(options_.raw_queue_bytes));
  out.sample({{"queue", "rows"}}, static_cast<double>(options_.row_queue_bytes));

  auto now = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> oldest;
  {
    MutexLock lock(units_mutex_);
    oldest = prune_units(units_);
    units_pruned_size_ = units_.size();
  }
  out.family("gd2sentinel_checkpoint_lag_seconds", MetricType::kGauge,
             "Age of the oldest unit with records not yet committed; 0 when none is waiting");
  out.sample({{"source", source}},
             oldest ? std::chrono::duration<double>(now - *oldest).count() : 0.0);

  auto last = std::chrono::steady_clock::time_point(
      std::chrono::steady_clock::duration(last_accepted_.load(std::memory_order_relaxed)));
  out.family("gd2sentinel_last_success_timestamp_seconds", MetricType::kGauge,
             "Unix time the sink last accepted rows (the start time until it first does)");
  auto wall = std::chrono::system_clock::now() - (now - last);
  out.sample({{"sink", sink}}, std::chrono::duration<double>(wall.time_since_epoch()).count());
}

Readiness Pipeline::ready(Duration window) const {
  if (records_pending() == 0) return {true, "ready: nothing waits to be sent"};
  auto last = std::chrono::steady_clock::time_point(
      std::chrono::steady_clock::duration(last_accepted_.load(std::memory_order_relaxed)));
  auto since = std::chrono::steady_clock::now() - last;
  if (since <= window)
    return {true, "ready: the sink accepted rows " +
                      format_duration(std::chrono::duration_cast<Duration>(since)) + " ago"};
  return {false, "not ready: " + std::to_string(records_pending()) +
                     " records wait and the sink has accepted none for " +
                     format_duration(std::chrono::duration_cast<Duration>(since))};
}

}  // namespace gd2s
