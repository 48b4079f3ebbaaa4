#include "sources/guardduty_api/source.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "http/retry.h"

namespace gd2s {
namespace {

int64_t epoch_ms(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string iso_of_ms(int64_t ms) {
  return format_iso8601(Timestamp{std::chrono::milliseconds{ms}});
}

std::optional<int64_t> parse_ms(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string GuardDutyApiSource::checkpoint_key(const std::string& region,
                                               const std::string& detector) {
  return region + "/" + detector;
}

GuardDutyApiSource::GuardDutyApiSource(GuardDutyApiOptions options,
                                       const std::vector<aws::GuardDutyClient*>& clients,
                                       StateStore& state)
    : options_(std::move(options)), state_(state), since_ms_(epoch_ms(options_.since)) {
  for (aws::GuardDutyClient* client : clients) clients_[client->region()] = client;
  for (const std::string& entry : options_.detector_ids) {
    size_t slash = entry.find('/');
    if (slash != std::string::npos)
      configured_[entry.substr(0, slash)].push_back(entry.substr(slash + 1));
    else if (options_.regions.size() == 1)
      configured_[options_.regions.front()].push_back(entry);
    else
      spdlog::error("guardduty_api: detector {} names no Region (write \"REGION/{}\"); skipped",
                    entry, entry);
  }
}

GuardDutyApiSource::~GuardDutyApiSource() = default;

SourceTotals GuardDutyApiSource::totals() const {
  return {opened_.load(), committed_.load(), abandoned_.load()};
}

void GuardDutyApiSource::run(RecordEmitter& out, std::stop_token stop) {
  spdlog::info(
      "guardduty_api: Regions {}; detectors {}; findings updated since {}; {}",
      fmt::join(options_.regions, ", "),
      options_.detector_ids.empty() ? std::string("from ListDetectors")
                                    : fmt::format("{}", fmt::join(options_.detector_ids, ", ")),
      format_iso8601(options_.since),
      options_.once ? std::string("one pass") : "every " + format_duration(options_.interval));
  for (;;) {
    pass(out, stop);  // with `once`, throws the first failure after the pass
    if (options_.once || stop.stop_requested()) return;
    if (!http::sleep_for(options_.interval, stop)) return;
  }
}

void GuardDutyApiSource::pass(RecordEmitter& out, std::stop_token stop) {
  counters_.passes.fetch_add(1, std::memory_order_relaxed);
  std::exception_ptr failure;
  auto failed = [&](const std::string& where, const std::exception& error) {
    if (options_.once && !failure) {
      failure = std::current_exception();  // reported by the pipeline, and the run ends 1
      return;
    }
    spdlog::error("guardduty_api {}: {}{}", where, error.what(),
                  options_.once ? "" : "; trying again in " + format_duration(options_.interval));
  };
  for (const std::string& region : options_.regions) {
    if (stop.stop_requested()) break;
    auto found = clients_.find(region);
    if (found == clients_.end()) continue;  // components builds one client per Region
    aws::GuardDutyClient& client = *found->second;
    bool listed = false;
    std::vector<std::string> detectors;
    try {
      detectors = detectors_in(client, listed, stop);
    } catch (const std::exception& error) {
      if (!stop.stop_requested()) failed(region, error);
      continue;
    }
    if (detectors.empty()) {
      counters_.empty_regions.fetch_add(1, std::memory_order_relaxed);
      if (empty_regions_logged_.insert(region).second)
        spdlog::info(
            "guardduty_api {}: no GuardDuty detector here (GuardDuty is not enabled in "
            "this Region); nothing to read",
            region);
      continue;
    }
    for (const std::string& detector : detectors) {
      if (stop.stop_requested()) break;
      Stream& stream = stream_for(region, detector);
      try {
        read_detector(client, stream, out, stop);
      } catch (const aws::ServiceError& error) {
        end_pass(stream, false);
        if (aws::detector_not_found(error) && listed) {
          counters_.vanished_detectors.fetch_add(1, std::memory_order_relaxed);
          spdlog::warn(
              "guardduty_api {}: the detector went away while it was read ({}); skipped, its "
              "checkpoint is kept",
              stream.key, error.service_message());
          continue;
        }
        failed(stream.key, error);
      } catch (const std::exception& error) {
        end_pass(stream, false);
        if (!stop.stop_requested()) failed(stream.key, error);
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
}

std::vector<std::string> GuardDutyApiSource::detectors_in(aws::GuardDutyClient& client,
                                                          bool& listed, std::stop_token stop) {
  listed = options_.detector_ids.empty();
  if (!listed) {
    auto it = configured_.find(client.region());
    return it == configured_.end() ? std::vector<std::string>{} : it->second;
  }
  return client.all_detectors(stop);
}

GuardDutyApiSource::Stream& GuardDutyApiSource::stream_for(const std::string& region,
                                                           const std::string& detector) {
  std::string key = checkpoint_key(region, detector);
  MutexLock lock(mutex_);
  auto it = streams_.find(key);
  if (it != streams_.end()) return *it->second;
  int64_t start = since_ms_;
  if (auto cp = state_.checkpoint(name(), key))
    if (auto saved = parse_ms(cp->version)) start = std::max(start, *saved);
  auto stream = std::make_unique<Stream>(Stream{region, detector, key, FindingWatermark(start)});
  return *streams_.emplace(key, std::move(stream)).first->second;
}

bool GuardDutyApiSource::read_detector(aws::GuardDutyClient& client, Stream& stream,
                                       RecordEmitter& out, std::stop_token stop) {
  counters_.detectors.fetch_add(1, std::memory_order_relaxed);
  int64_t from = 0;
  {
    MutexLock lock(mutex_);
    stream.watermark.begin_pass();
    from = std::max(since_ms_, stream.watermark.resume_from() - options_.lookback.count());
  }
  uint64_t before = counters_.findings.load();
  std::string token;
  bool complete = false;
  while (!stop.stop_requested()) {
    aws::IdPage ids = client.list_findings(stream.detector, from, token, stop);
    if (stop.stop_requested()) break;
    if (!ids.ids.empty())
      emit_page(stream, client.get_findings(stream.detector, ids.ids, stop), out);
    token = ids.next_token;
    if (token.empty()) {
      complete = true;
      break;
    }
  }
  end_pass(stream, complete);
  uint64_t read = counters_.findings.load() - before;
  spdlog::log(read > 0 ? spdlog::level::info : spdlog::level::debug,
              "guardduty_api {}: {} findings updated since {}{}", stream.key, read, iso_of_ms(from),
              complete ? "" : " (stopped early; read again from there)");
  return complete;
}

void GuardDutyApiSource::emit_page(Stream& stream, std::vector<aws::ApiFinding> findings,
                                   RecordEmitter& out) {
  if (findings.empty()) return;  // every id of the page is gone since it was listed
  std::optional<int64_t> first, last;
  for (const aws::ApiFinding& finding : findings)
    if (finding.updated_at_ms) {
      first = std::min(first.value_or(*finding.updated_at_ms), *finding.updated_at_ms);
      last = std::max(last.value_or(*finding.updated_at_ms), *finding.updated_at_ms);
    }
  uint64_t page = 0;
  {
    MutexLock lock(mutex_);
    int64_t at = stream.watermark.resume_from();  // findings without updatedAt: where it stands
    page = stream.watermark.opened(first.value_or(at), last.value_or(at));
  }
  Stream* target = &stream;
  auto unit = std::make_shared<UnitOfWork>(
      std::string(name()), "guardduty:" + stream.key + "#" + std::to_string(page), 0,
      [this, target, page](const UnitOfWork&, UnitOfWork::Ending) {
        page_committed(*target, page);
      });
  opened_.fetch_add(1);
  uint64_t line = 0;
  for (aws::ApiFinding& finding : findings)
    out.record(unit, RawRecord{++line, std::move(finding.json)});
  counters_.findings.fetch_add(line, std::memory_order_relaxed);
  unit->seal(UnitOfWork::Ending::kComplete);  // commits once every finding is settled
}

void GuardDutyApiSource::end_pass(Stream& stream, bool complete) {
  MutexLock lock(mutex_);
  if (stream.watermark.end_pass(complete)) save(stream);
}

void GuardDutyApiSource::page_committed(Stream& stream, uint64_t page) {
  committed_.fetch_add(1);
  MutexLock lock(mutex_);
  if (stream.watermark.committed(page)) save(stream);
}

void GuardDutyApiSource::save(const Stream& stream) {
  int64_t value = stream.watermark.value();
  state_.save_checkpoint(UnitCheckpoint{std::string(name()), stream.key, std::to_string(value), 0,
                                        CheckpointStatus::kDone, 0, now_utc()});
  spdlog::debug("guardduty_api {}: committed every finding updated before {}", stream.key,
                iso_of_ms(value));
}

void GuardDutyApiSource::write_metrics(MetricsWriter& out) const {
  out.family("gd2sentinel_guardduty_findings_total", MetricType::kCounter,
             "Findings read through GetFindings");
  out.sample({}, static_cast<double>(counters_.findings.load()));
  out.family("gd2sentinel_guardduty_passes_total", MetricType::kCounter,
             "Passes over every configured detector");
  out.sample({}, static_cast<double>(counters_.passes.load()));
  out.family("gd2sentinel_guardduty_watermark_timestamp_seconds", MetricType::kGauge,
             "Per detector, the updatedAt up to which every finding is committed");
  MutexLock lock(mutex_);
  for (const auto& [key, stream] : streams_)
    out.sample({{"region", stream->region}, {"detector", stream->detector}},
               static_cast<double>(stream->watermark.value()) / 1000.0);
}

}  // namespace gd2s
