#include "pipeline/stats.h"

namespace gd2s {

void PipelineStats::count_accepted(double severity, const std::string& type) {
  auto band = static_cast<size_t>(severity_band(severity));
  MutexLock lock(mutex_);
  ++bands_.by_band[band];
  ++types_[type].by_band[band];
}

BandCounts PipelineStats::bands() const {
  MutexLock lock(mutex_);
  return bands_;
}

std::map<std::string, BandCounts> PipelineStats::types() const {
  MutexLock lock(mutex_);
  return types_;
}

}  // namespace gd2s
