#pragma once
// How far one detector's findings are committed, as an updatedAt in epoch milliseconds: every
// finding whose updatedAt is before the watermark has been delivered, filtered or dead-lettered.
// Pages are read oldest first but commit in any order, so the watermark advances only over the
// committed prefix: it is the smallest updatedAt of a page not yet committed. While a pass is
// listing, a hold at the newest page's first updatedAt keeps it from passing findings not listed
// yet (GetFindings answers with current versions, so a finding updated between ListFindings and
// GetFindings can carry an updatedAt far beyond the listing's position). Not thread-safe: the
// source calls it under its own lock.

#include <cstdint>
#include <map>
#include <optional>

namespace gd2s {

class FindingWatermark {
 public:
  explicit FindingWatermark(int64_t start_ms) : value_(start_ms), high_opened_(start_ms) {}

  /// What may be saved: never decreases.
  int64_t value() const { return value_; }
  /// Where the next pass starts listing (before any lookback): after a complete pass, the newest
  /// updatedAt handed out; after an interrupted one, the first updatedAt of its newest page.
  int64_t resume_from() const;

  /// A pass starts listing at resume_from().
  void begin_pass();
  /// A page of findings with updatedAt from `first_ms` to `last_ms` was handed out; returns its
  /// number for committed().
  uint64_t opened(int64_t first_ms, int64_t last_ms);
  /// The page's findings are all settled. True when value() moved.
  bool committed(uint64_t page);
  /// The pass listed to the end (`complete`), or stopped early (stop, an error, a detector that
  /// went away): then the hold stays, so the next pass reads the newest page again. True when
  /// value() moved.
  bool end_pass(bool complete);

  /// Pages handed out and not committed yet.
  size_t open_pages() const { return open_.size(); }

 private:
  struct Page {
    int64_t first = 0;
    int64_t last = 0;
  };
  bool recompute();

  int64_t value_;
  int64_t high_opened_;  // newest updatedAt handed out
  std::optional<int64_t> high_committed_;
  std::optional<int64_t> hold_;  // while listing, or after an interrupted pass
  std::map<uint64_t, Page> open_;
  uint64_t next_page_ = 0;
};

}  // namespace gd2s
