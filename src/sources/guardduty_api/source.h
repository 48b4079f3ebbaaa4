#pragma once
// [source.guardduty_api]: reads findings from the GuardDuty API, for those that predate the S3
// export (or an account without one). Per detector of each configured Region: ListFindings for
// updatedAt at or after the detector's watermark, oldest first, 50 ids a page, then GetFindings
// for the page. One GetFindings page is one unit of work; its records are the findings' JSON.
// The watermark (state store: source "guardduty_api", key "<region>/<detector>", version = epoch
// ms) moves only over pages that are committed (sources/guardduty_watermark.h), so a restart
// re-reads at most what was in flight; the dedupe on (id, updatedAt) drops what was delivered.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "aws/guardduty_client.h"
#include "core/duration.h"
#include "core/mutex.h"
#include "core/time.h"
#include "sources/guardduty_api/watermark.h"
#include "sources/source.h"
#include "state/state_store.h"

namespace gd2s {

struct GuardDutyApiOptions {
  std::vector<std::string> regions;
  /// "ID" (with one Region) or "REGION/ID"; empty: every detector ListDetectors returns.
  std::vector<std::string> detector_ids;
  Timestamp since{};  // findings updated before it are not read
  Duration interval = std::chrono::minutes(5);
  /// Each pass lists from this much before the watermark, for findings that GuardDuty makes
  /// visible after newer ones; what is read twice is dropped by the dedupe.
  Duration lookback = std::chrono::minutes(5);
  bool once = false;  // one pass over every detector, then end
};

/// What the source saw, beyond units: for the summary, metrics and tests.
struct GuardDutyApiCounters {
  std::atomic<uint64_t> passes{0};
  std::atomic<uint64_t> detectors{0};  // detector passes started
  std::atomic<uint64_t> findings{0};   // findings handed to the pipeline
  std::atomic<uint64_t> empty_regions{0};
  std::atomic<uint64_t> vanished_detectors{0};
};

class GuardDutyApiSource final : public Source {
 public:
  /// `clients`: one per Region of options.regions (matched by region()); they outlive the source.
  GuardDutyApiSource(GuardDutyApiOptions options, const std::vector<aws::GuardDutyClient*>& clients,
                     StateStore& state);
  ~GuardDutyApiSource() override;
  GuardDutyApiSource(const GuardDutyApiSource&) = delete;
  GuardDutyApiSource& operator=(const GuardDutyApiSource&) = delete;

  std::string_view name() const override { return "guardduty_api"; }
  void run(RecordEmitter& out, std::stop_token stop) override;
  SourceTotals totals() const override;
  const GuardDutyApiCounters& counters() const { return counters_; }
  void write_metrics(MetricsWriter& out) const override;

  /// The checkpoint key of a detector: "<region>/<detector>".
  static std::string checkpoint_key(const std::string& region, const std::string& detector);

 private:
  struct Stream {
    std::string region;
    std::string detector;
    std::string key;
    FindingWatermark watermark;
  };

  // One pass over every Region; throws (with `once`) the first failure after the others ran.
  void pass(RecordEmitter& out, std::stop_token stop);
  std::vector<std::string> detectors_in(aws::GuardDutyClient& client, bool& listed,
                                        std::stop_token stop);
  // Reads one detector from its watermark to the end of its listing; false when it stopped early.
  bool read_detector(aws::GuardDutyClient& client, Stream& stream, RecordEmitter& out,
                     std::stop_token stop);
  void emit_page(Stream& stream, std::vector<aws::ApiFinding> findings, RecordEmitter& out);
  Stream& stream_for(const std::string& region, const std::string& detector) EXCLUDES(mutex_);
  void end_pass(Stream& stream, bool complete) EXCLUDES(mutex_);
  void page_committed(Stream& stream, uint64_t page) EXCLUDES(mutex_);
  // Saves the stream's watermark; the caller holds mutex_.
  void save(const Stream& stream) REQUIRES(mutex_);

  GuardDutyApiOptions options_;
  std::map<std::string, aws::GuardDutyClient*> clients_;        // by Region
  std::map<std::string, std::vector<std::string>> configured_;  // Region → detector ids
  std::set<std::string> empty_regions_logged_;                  // the source's thread only
  StateStore& state_;
  int64_t since_ms_ = 0;
  GuardDutyApiCounters counters_;

  mutable Mutex mutex_;
  std::map<std::string, std::unique_ptr<Stream>> streams_ GUARDED_BY(mutex_);  // by checkpoint key

  std::atomic<uint64_t> opened_{0}, committed_{0}, abandoned_{0};
};

}  // namespace gd2s
