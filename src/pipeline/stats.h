#pragma once
// What the pipeline did, counted as it goes: for the summary, logs and (later) metrics.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>

#include "core/mutex.h"
#include "transform/severity.h"

namespace gd2s {

struct BandCounts {
  std::array<uint64_t, 4> by_band{};  // indexed by SeverityBand
  uint64_t total() const { return by_band[0] + by_band[1] + by_band[2] + by_band[3]; }
};

class PipelineStats {
 public:
  std::atomic<uint64_t> records_read{0};
  std::atomic<uint64_t> rows_accepted{0};
  std::atomic<uint64_t> filtered{0};
  std::atomic<uint64_t> duplicates{0};
  std::atomic<uint64_t> dead_letters{0};

  void count_accepted(double severity, const std::string& type);
  /// Accepted rows per band, and per finding type.
  BandCounts bands() const;
  std::map<std::string, BandCounts> types() const;

 private:
  mutable Mutex mutex_;
  BandCounts bands_ GUARDED_BY(mutex_);
  std::map<std::string, BandCounts> types_ GUARDED_BY(mutex_);
};

}  // namespace gd2s
