#pragma once
// A sink that keeps every row it accepts (by its JSON), from any thread: rows containing
// `reject_marker` are refused with "refused by the destination", and `fail` makes every send
// throw "destination unreachable".

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "sinks/sink.h"

namespace gd2s::test {

class RecordingSink final : public Sink {
 public:
  std::string_view name() const override { return "recording"; }
  void send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) override {
    ++sends;
    if (fail) throw std::runtime_error("destination unreachable");
    std::vector<OutboundRow> ok;
    for (OutboundRow& row : rows) {
      if (!reject_marker.empty() && row.json.find(reject_marker) != std::string::npos) {
        receiver.rejected(row, "refused by the destination");
      } else {
        std::lock_guard lock(mutex_);
        rows_.push_back(row.json);
        ok.push_back(std::move(row));
      }
    }
    receiver.accepted(ok);
  }
  void flush() override {}
  std::vector<std::string> rows() const {
    std::lock_guard lock(mutex_);
    return rows_;
  }

  /// Set before the sink is used.
  std::string reject_marker;
  bool fail = false;
  /// How many times send() was called.
  std::atomic<int> sends{0};

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> rows_;
};

}  // namespace gd2s::test
