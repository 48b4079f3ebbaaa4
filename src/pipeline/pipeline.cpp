#include "pipeline/pipeline.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "decode/finding_decoder.h"
#include "sinks/batch_plan.h"
#include "transform/enrich.h"

namespace gd2s {

namespace {
constexpr size_t kItemOverhead = 128;  // bookkeeping per queued item, for the byte bounds
}

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

  std::lock_guard lock(failure_mutex_);
  if (!failure_.empty()) throw PipelineError(failure_);
}

void Pipeline::fail(std::exception_ptr error, std::string_view stage) {
  std::string what;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "unknown error";
  }
  {
    std::lock_guard lock(failure_mutex_);
    if (failure_.empty()) failure_ = std::string(stage) + ": " + what;
  }
  spdlog::error("{} failed: {}; stopping, records not yet delivered stay uncommitted", stage, what);
  stop_.request_stop();
  // Unblock everyone: queued records are dropped unacknowledged, so their units never commit
  // and are read again on the next run.
  raw_queue_.close();
  row_queue_.close();
}

void Pipeline::record(const UnitPtr& unit, RawRecord record) {
  stats_.records_read.fetch_add(1, std::memory_order_relaxed);
  unit->add_record();
  RawItem item{unit, record.line, std::move(record.text)};
  size_t cost = item.text.size() + kItemOverhead;
  raw_queue_.push(item, cost);  // false only after a failure: the unit then never commits
}

void Pipeline::problem(const UnitPtr& unit, ReadProblem problem) {
  stats_.records_read.fetch_add(1, std::memory_order_relaxed);
  unit->add_record();
  try {
    dead_letter(unit, "decode", std::move(problem.reason), problem.line,
                std::move(problem.original));
  } catch (...) {
    fail(std::current_exception(), "dead-letter store");
  }
}

void Pipeline::dead_letter(const UnitPtr& unit, std::string_view stage, std::string reason,
                           uint64_t line, std::string original) {
  spdlog::warn("{} line {}: {} (dead-lettered)", unit->key(), line, reason);
  DeadLetter letter{std::string(stage),  std::move(reason), unit->source(), unit->key(), line,
                    std::move(original), now_utc()};
  dead_letters_.write(letter);
  stats_.dead_letters.fetch_add(1, std::memory_order_relaxed);
  unit->settle(Settlement::kDeadLettered);
}

void Pipeline::run_worker() {
  FindingDecoder decoder;
  std::string row;
  while (auto item = raw_queue_.pop()) {
    try {
      transform(*item, decoder, row);
    } catch (...) {
      fail(std::current_exception(), "transform");
      return;
    }
  }
}

void Pipeline::transform(RawItem& item, FindingDecoder& decoder, std::string& row) {
  auto decoded = decoder.decode(item.text);
  if (auto* failure = std::get_if<DecodeFailure>(&decoded)) {
    dead_letter(item.unit, "decode", std::move(failure->reason), item.line, std::move(item.text));
    return;
  }
  const Finding& finding = std::get<Finding>(decoded);
  if (auto reason = filter_.drop_reason(finding)) {
    spdlog::debug("{} line {}: filtered: {}", item.unit->key(), item.line, *reason);
    stats_.filtered.fetch_add(1, std::memory_order_relaxed);
    item.unit->settle(Settlement::kFiltered);
    return;
  }
  RecordTicket ticket{item.unit, item.line, std::nullopt, finding.severity,
                      std::string(finding.type)};
  if (dedupe_.enabled()) {
    FindingVersion version{std::string(finding.id), format_iso8601(finding.updated_at)};
    if (dedupe_.is_duplicate(version)) {
      spdlog::debug("{} line {}: finding {} updated {} already delivered", item.unit->key(),
                    item.line, version.id, version.updated_at);
      stats_.duplicates.fetch_add(1, std::memory_order_relaxed);
      item.unit->settle(Settlement::kFiltered);
      return;
    }
    ticket.version = std::move(version);
  }
  row.clear();
  schema_.write_row(finding, enrich(finding), row);
  if (row.size() > options_.max_row_bytes) {
    if (ticket.version) dedupe_.abandoned(*ticket.version);
    dead_letter(item.unit, "transform",
                "the " + std::string(schema_.name()) + " row is " + std::to_string(row.size()) +
                    " bytes, over the " + std::to_string(options_.max_row_bytes) +
                    "-byte limit for one record",
                item.line, std::move(item.text));
    return;
  }
  OutboundRow out{row, std::move(ticket)};
  size_t cost = out.json.size() + kItemOverhead;
  row_queue_.push(out, cost);
}

void Pipeline::run_sink() {
  // Rows go to the sink in groups of batch_rows, or of about one request when the sink cuts
  // rows into requests; and no row waits longer than max_linger for its group to fill, so a
  // steady trickle is not held back either.
  const size_t batch_bytes = sink_.preferred_batch_bytes();
  const size_t batch_rows = batch_bytes > 0 ? SIZE_MAX : options_.batch_rows;
  BatchBudget budget(batch_bytes > 0 ? batch_bytes : SIZE_MAX / 2);
  std::vector<OutboundRow> batch;
  auto oldest = std::chrono::steady_clock::now();
  auto send = [&] {
    if (batch.empty()) return;
    std::vector<OutboundRow> rows;
    rows.swap(batch);
    budget.reset();
    sink_.send(std::move(rows), *this);
  };
  try {
    for (;;) {
      auto waited = std::chrono::steady_clock::now() - oldest;
      auto wait =
          batch.empty()
              ? options_.max_linger
              : std::max<Duration>(Duration(0), options_.max_linger -
                                                    std::chrono::duration_cast<Duration>(waited));
      auto row = row_queue_.pop_for(wait);
      if (row) {
        if (!budget.fits(row->json.size())) send();
        if (batch.empty()) oldest = std::chrono::steady_clock::now();
        budget.add(row->json.size());
        batch.push_back(std::move(*row));
        if (batch.size() >= batch_rows ||
            std::chrono::steady_clock::now() - oldest >= options_.max_linger)
          send();
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
  std::vector<FindingVersion> versions;
  for (const OutboundRow& row : rows)
    if (row.ticket.version) versions.push_back(*row.ticket.version);
  dedupe_.delivered(versions);  // before the units commit: a crash in between only resends
  for (OutboundRow& row : rows) {
    stats_.rows_accepted.fetch_add(1, std::memory_order_relaxed);
    stats_.count_accepted(row.ticket.severity, row.ticket.type);
    row.ticket.unit->settle(Settlement::kAccepted);
  }
}

void Pipeline::rejected(OutboundRow& row, std::string_view reason) {
  if (row.ticket.version) dedupe_.abandoned(*row.ticket.version);
  dead_letter(row.ticket.unit, "sink", std::string(reason), row.ticket.line, row.json);
}

}  // namespace gd2s
