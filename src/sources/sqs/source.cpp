#include "sources/sqs/source.h"

#include <spdlog/spdlog.h>

#include <random>

#include "sources/unit_reader.h"

namespace gd2s {

namespace {
constexpr size_t kBatch = 10;                  // SQS batch calls carry at most ten entries
constexpr size_t kRememberedFailures = 10000;  // causes kept for poison-message log lines
constexpr auto kTick = std::chrono::milliseconds(200);
}  // namespace

SqsSource::SqsSource(SqsSourceOptions options, aws::SqsClient& sqs, aws::S3Client& s3)
    : options_(std::move(options)), sqs_(sqs), s3_(s3) {}

SqsSource::~SqsSource() {
  {
    MutexLock lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (deleter_.joinable()) deleter_.join();  // flushes what is left to delete
  if (extender_.joinable()) extender_.join();
}

SourceTotals SqsSource::totals() const {
  return {opened_.load(), committed_.load(), abandoned_.load()};
}

void SqsSource::start_background() {
  if (options_.visibility_timeout.count() > 0) {
    visibility_ = options_.visibility_timeout;
  } else {
    auto attributes = sqs_.queue_attributes(options_.queue_url, {"VisibilityTimeout"});
    if (auto it = attributes.find("VisibilityTimeout"); it != attributes.end())
      visibility_ = std::chrono::seconds(std::stoll(it->second));
  }
  visibility_ = std::max(visibility_, std::chrono::seconds(2));
  auto attributes = sqs_.queue_attributes(options_.queue_url, {"RedrivePolicy"});
  if (attributes.find("RedrivePolicy") == attributes.end())
    spdlog::warn(
        "sqs {}: the queue has no redrive policy; a message that keeps failing is received "
        "again every {}s forever. Give it a dead-letter queue (docs/aws-setup.md)",
        options_.queue_url, visibility_.count());
  extender_ = std::thread([this] { extend_loop(); });
  deleter_ = std::thread([this] { delete_loop(); });
}

void SqsSource::run(RecordEmitter& out, std::stop_token stop) {
  start_background();
  spdlog::info("sqs {}: {} receivers, visibility {}s (extended every {}s while in flight)",
               options_.queue_url, options_.receivers, visibility_.count(),
               visibility_.count() / 2);
  std::vector<std::jthread> receivers;
  for (size_t i = 0; i < std::max<size_t>(1, options_.receivers); ++i)
    receivers.emplace_back([this, &out, stop] { receive_loop(out, stop); });
  receivers.clear();  // joins
}

void SqsSource::receive_loop(RecordEmitter& out, std::stop_token stop) {
  http::Backoff backoff{std::chrono::seconds(1), std::chrono::seconds(60), 0};
  std::mt19937_64 random(std::random_device{}());
  int failures = 0;
  while (!stop.stop_requested()) {
    std::vector<aws::SqsMessage> messages;
    try {
      messages = sqs_.receive(options_.queue_url, static_cast<int>(kBatch),
                              options_.once ? std::min(options_.wait_time, std::chrono::seconds(2))
                                            : options_.wait_time,
                              visibility_, stop);
      failures = 0;
    } catch (const std::exception& error) {
      if (stop.stop_requested()) break;
      spdlog::error("sqs {}: {}", options_.queue_url, error.what());
      if (!http::sleep_for(http::full_jitter(backoff, failures++, random), stop)) break;
      continue;
    }
    if (messages.empty() && options_.once) break;
    {
      // Every message's visibility runs from now, also for those waiting behind the first.
      MutexLock lock(mutex_);
      auto now = std::chrono::steady_clock::now();
      for (const aws::SqsMessage& message : messages)
        in_flight_[message.message_id] = InFlight{message.receipt_handle, now, false};
    }
    for (const aws::SqsMessage& message : messages) {
      if (stop.stop_requested()) {
        // Taken but not started: give it back at once for another replica.
        forget(message.message_id);
        try {
          sqs_.change_visibility(options_.queue_url, message.receipt_handle, 0);
        } catch (const std::exception&) {
        }
        continue;
      }
      handle(message, out, stop);
    }
  }
}

void SqsSource::handle(const aws::SqsMessage& message, RecordEmitter& out, std::stop_token stop) {
  counters_.messages.fetch_add(1, std::memory_order_relaxed);
  const std::string& id = message.message_id;
  if (message.receive_count > options_.max_receive_count) {
    counters_.poison.fetch_add(1, std::memory_order_relaxed);
    std::string cause;
    {
      MutexLock lock(mutex_);
      if (auto it = last_failure_.find(id); it != last_failure_.end()) cause = it->second;
    }
    spdlog::error(
        "sqs message {}: received {} times, more than max_receive_count {}; left for the "
        "queue's redrive policy (its dead-letter queue). Last failure: {}",
        id, message.receive_count, options_.max_receive_count,
        cause.empty() ? "not seen by this process" : cause);
    forget(id);
    return;  // neither processed nor deleted nor extended
  }

  Envelope envelope = classify_message(message.body);
  auto unit = std::make_shared<UnitOfWork>(
      std::string(name()), "sqs:" + id, 0,
      [this, id](const UnitOfWork&, UnitOfWork::Ending) { committed(id); });
  opened_.fetch_add(1);
  switch (envelope.kind) {
    case Envelope::Kind::kFinding:
      counters_.findings.fetch_add(1, std::memory_order_relaxed);
      out.record(unit, RawRecord{1, std::move(envelope.finding)});
      unit->seal(UnitOfWork::Ending::kComplete);
      return;
    case Envelope::Kind::kTestEvent: {
      if (counters_.test_events.fetch_add(1, std::memory_order_relaxed) == 0)
        spdlog::info("sqs {}: S3 test event received (the bucket notification works); deleted",
                     options_.queue_url);
      unit->seal(UnitOfWork::Ending::kComplete);
      return;
    }
    case Envelope::Kind::kSkipped:
      counters_.skipped.fetch_add(1, std::memory_order_relaxed);
      spdlog::debug("sqs message {}: {}; deleted", id, envelope.detail);
      unit->seal(UnitOfWork::Ending::kComplete);
      return;
    case Envelope::Kind::kUnknown: {
      counters_.unknown.fetch_add(1, std::memory_order_relaxed);
      std::string why = "the message is not one gd2sentinel reads: " + envelope.detail;
      if (message.receive_count <= 1) {
        out.problem(unit, ReadProblem{1, why + " (left on the queue for its redrive policy)",
                                      message.body});
      } else {
        spdlog::warn("sqs message {}: {} (receive {}; dead-lettered on the first)", id,
                     envelope.detail, message.receive_count);
      }
      abandoned(id, why, false);
      unit->seal(UnitOfWork::Ending::kAbandoned);
      return;
    }
    case Envelope::Kind::kS3Objects:
      read_objects(unit, envelope.objects, out, stop, message);
      return;
  }
}

void SqsSource::read_objects(const UnitPtr& unit, const std::vector<S3ObjectRef>& objects,
                             RecordEmitter& out, std::stop_token stop,
                             const aws::SqsMessage& message) {
  const std::string& id = message.message_id;
  for (const S3ObjectRef& object : objects) {
    counters_.objects.fetch_add(1, std::memory_order_relaxed);
    std::string where = "s3://" + object.bucket + "/" + object.key;
    try {
      std::string etag = object.etag.empty() || object.etag.front() == '"'
                             ? object.etag
                             : "\"" + object.etag + "\"";
      auto bytes = s3_.get_object(object.bucket, object.key, etag, object.size.value_or(0), stop);
      if (!emit_records(unit, *bytes, out, stop)) {
        abandoned(id, "stopped while reading " + where, true);
        unit->seal(UnitOfWork::Ending::kAbandoned);
        return;
      }
    } catch (const std::exception& error) {
      const auto* s3_error = dynamic_cast<const aws::ServiceError*>(&error);
      if (s3_error != nullptr && s3_error->code() == "NoSuchKey") {
        spdlog::warn("sqs message {}: {} no longer exists; nothing to read", id, where);
        continue;
      }
      // A refusal needs a person (error); a broken connection usually mends itself (warning).
      spdlog::log(s3_error != nullptr ? spdlog::level::err : spdlog::level::warn,
                  "sqs message {}: {}: {}; the message is received again after its visibility "
                  "timeout",
                  id, where, error.what());
      abandoned(id, where + ": " + error.what(), false);
      unit->seal(UnitOfWork::Ending::kAbandoned);
      return;
    }
  }
  unit->seal(UnitOfWork::Ending::kComplete);
}

void SqsSource::forget(const std::string& message_id) {
  MutexLock lock(mutex_);
  in_flight_.erase(message_id);
}

void SqsSource::remember_failure(const std::string& message_id, const std::string& why) {
  if (last_failure_.size() >= kRememberedFailures) last_failure_.erase(last_failure_.begin());
  last_failure_[message_id] = why;
}

void SqsSource::committed(const std::string& message_id) {
  committed_.fetch_add(1);
  MutexLock lock(mutex_);
  auto it = in_flight_.find(message_id);
  if (it == in_flight_.end()) return;
  it->second.settled = true;
  to_delete_.push_back({message_id, it->second.receipt_handle, 0});
  changed_.notify_all();
}

void SqsSource::abandoned(const std::string& message_id, const std::string& why, bool release) {
  abandoned_.fetch_add(1);
  std::string receipt;
  {
    MutexLock lock(mutex_);
    if (!why.empty()) remember_failure(message_id, why);
    auto it = in_flight_.find(message_id);
    if (it == in_flight_.end()) return;
    receipt = it->second.receipt_handle;
    in_flight_.erase(it);
  }
  if (release) {
    // Shutting down: hand it back now rather than after the visibility timeout.
    try {
      sqs_.change_visibility(options_.queue_url, receipt, 0);
    } catch (const std::exception& error) {
      spdlog::debug("sqs message {}: could not release it: {}", message_id, error.what());
    }
  }
}

void SqsSource::extend_loop() {
  const auto every = visibility_ / 2;
  // Checked four times per half-timeout, so an extension is never later than 5/8 of the timeout.
  const auto tick = std::min<std::chrono::milliseconds>(std::chrono::seconds(1), every / 4);
  MutexLock lock(mutex_);
  while (!stopping_) {
    changed_.wait_for(lock.native(), tick);
    auto now = std::chrono::steady_clock::now();
    std::vector<aws::SqsBatchEntry> due;
    for (auto& [id, flight] : in_flight_)
      if (!flight.settled && now - flight.extended_at >= every) {
        due.push_back({id, flight.receipt_handle, static_cast<int>(visibility_.count())});
        flight.extended_at = now;
      }
    if (due.empty()) continue;
    lock.unlock();
    for (size_t at = 0; at < due.size(); at += kBatch) {
      std::vector<aws::SqsBatchEntry> batch(
          due.begin() + static_cast<ptrdiff_t>(at),
          due.begin() + static_cast<ptrdiff_t>(std::min(due.size(), at + kBatch)));
      try {
        auto failed = sqs_.change_visibility_batch(options_.queue_url, batch);
        counters_.extensions.fetch_add(batch.size() - failed.size(), std::memory_order_relaxed);
        for (const auto& failure : failed)
          spdlog::warn("sqs message {}: visibility not extended: {} {}", failure.id, failure.code,
                       failure.message);
      } catch (const std::exception& error) {
        spdlog::warn("sqs {}: extending visibility failed: {}", options_.queue_url, error.what());
      }
    }
    lock.lock();
  }
}

void SqsSource::delete_loop() {
  MutexLock lock(mutex_);
  for (;;) {
    changed_.wait_for(lock.native(), kTick,
                      [&]() REQUIRES(mutex_) { return stopping_ || to_delete_.size() >= kBatch; });
    if (to_delete_.empty()) {
      if (stopping_) return;
      continue;
    }
    std::vector<aws::SqsBatchEntry> batch;
    size_t n = std::min(kBatch, to_delete_.size());
    batch.assign(to_delete_.begin(), to_delete_.begin() + static_cast<ptrdiff_t>(n));
    to_delete_.erase(to_delete_.begin(), to_delete_.begin() + static_cast<ptrdiff_t>(n));
    lock.unlock();
    std::vector<aws::SqsBatchFailure> failed;
    try {
      failed = sqs_.delete_batch(options_.queue_url, batch);
    } catch (const std::exception& error) {
      // Not deleted: the messages come back after their visibility timeout and their findings
      // are dropped then as already delivered.
      spdlog::error("sqs {}: deleting {} messages failed: {}", options_.queue_url, batch.size(),
                    error.what());
      failed.reserve(batch.size());
      for (const auto& entry : batch) failed.push_back({entry.id, "", error.what(), false});
    }
    for (const auto& failure : failed)
      if (!failure.code.empty())
        spdlog::warn("sqs message {}: not deleted: {} {}", failure.id, failure.code,
                     failure.message);
    counters_.delete_failures.fetch_add(failed.size(), std::memory_order_relaxed);
    counters_.deleted.fetch_add(batch.size() - failed.size(), std::memory_order_relaxed);
    lock.lock();
    for (const auto& entry : batch) in_flight_.erase(entry.id);
  }
}

void SqsSource::write_metrics(MetricsWriter& out) const {
  out.family("gd2sentinel_sqs_messages_total", MetricType::kCounter,
             "SQS messages received, by what they held");
  out.sample({{"kind", "received"}}, static_cast<double>(counters_.messages.load()));
  out.sample({{"kind", "eventbridge_finding"}}, static_cast<double>(counters_.findings.load()));
  out.sample({{"kind", "test_event"}}, static_cast<double>(counters_.test_events.load()));
  out.sample({{"kind", "skipped"}}, static_cast<double>(counters_.skipped.load()));
  out.sample({{"kind", "unknown"}}, static_cast<double>(counters_.unknown.load()));
  out.sample({{"kind", "poison"}}, static_cast<double>(counters_.poison.load()));
  out.family("gd2sentinel_sqs_objects_total", MetricType::kCounter,
             "S3 objects named by the notifications received");
  out.sample({}, static_cast<double>(counters_.objects.load()));
  out.family("gd2sentinel_sqs_deletes_total", MetricType::kCounter,
             "Messages deleted once their findings were delivered, and deletes that failed");
  out.sample({{"result", "ok"}}, static_cast<double>(counters_.deleted.load()));
  out.sample({{"result", "failed"}}, static_cast<double>(counters_.delete_failures.load()));
  out.family("gd2sentinel_sqs_visibility_extensions_total", MetricType::kCounter,
             "Visibility timeouts extended for messages in flight");
  out.sample({}, static_cast<double>(counters_.extensions.load()));
  size_t in_flight = 0;
  {
    MutexLock lock(mutex_);
    in_flight = in_flight_.size();
  }
  out.family("gd2sentinel_sqs_messages_in_flight", MetricType::kGauge,
             "Messages received and not yet deleted or handed back");
  out.sample({}, static_cast<double>(in_flight));
}

}  // namespace gd2s
