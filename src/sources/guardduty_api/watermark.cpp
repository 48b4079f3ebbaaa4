#include "sources/guardduty_api/watermark.h"

#include <algorithm>

namespace gd2s {

int64_t FindingWatermark::resume_from() const {
  if (hold_) return *hold_;
  return std::max(value_, high_opened_);
}

void FindingWatermark::begin_pass() {
  hold_ = resume_from();
}

uint64_t FindingWatermark::opened(int64_t first_ms, int64_t last_ms) {
  uint64_t page = next_page_++;
  open_[page] = Page{first_ms, std::max(first_ms, last_ms)};
  high_opened_ = std::max(high_opened_, last_ms);
  hold_ = first_ms;  // the next page of the listing starts at or after this page's findings
  return page;
}

bool FindingWatermark::committed(uint64_t page) {
  auto it = open_.find(page);
  if (it == open_.end()) return false;
  high_committed_ = std::max(high_committed_.value_or(it->second.last), it->second.last);
  open_.erase(it);
  return recompute();
}

bool FindingWatermark::end_pass(bool complete) {
  if (complete) hold_.reset();
  return recompute();
}

bool FindingWatermark::recompute() {
  std::optional<int64_t> lowest = hold_;
  for (const auto& [number, page] : open_)
    lowest = std::min(lowest.value_or(page.first), page.first);
  std::optional<int64_t> candidate = lowest ? lowest : high_committed_;
  if (!candidate || *candidate <= value_) return false;
  value_ = *candidate;
  return true;
}

}  // namespace gd2s
