#include "app/progress.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

namespace gd2s {

namespace {

std::string grouped(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string eta_text(double seconds) {
  auto s = static_cast<uint64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace

std::string progress_text(const SourceTotals& totals, uint64_t findings,
                          std::chrono::duration<double> elapsed) {
  uint64_t done = totals.units_committed + totals.units_abandoned;
  double seconds = std::max(elapsed.count(), 1e-3);
  std::string text = "objects " + grouped(done);
  if (totals.units_expected > 0) {
    uint64_t expected = std::max(totals.units_expected, done);
    text += "/" + grouped(expected) + " done (" +
            std::to_string(expected == 0 ? 100 : done * 100 / expected) + "%)";
  } else {
    text += " done";
  }
  text += ", " + grouped(findings) + " findings read, " +
          grouped(static_cast<uint64_t>(static_cast<double>(findings) / seconds + 0.5)) +
          " findings/s";
  if (totals.units_expected > done && done > 0)
    text += ", ETA " + eta_text(static_cast<double>(totals.units_expected - done) * seconds /
                                static_cast<double>(done));
  return text;
}

ProgressReporter::ProgressReporter(const Source& source, const PipelineStats& stats, bool terminal,
                                   Duration interval, std::FILE* out)
    : source_(source), stats_(stats), terminal_(terminal), interval_(interval), out_(out) {
  if (terminal_ || interval_.count() > 0)
    thread_ = std::jthread([this](std::stop_token stop) { loop(stop); });
}

ProgressReporter::~ProgressReporter() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  thread_.join();
  if (terminal_) {
    // The last state stays on screen, as its own line.
    std::fprintf(out_, "\r\033[K%s\n", text().c_str());
    std::fflush(out_);
  }
}

std::string ProgressReporter::text() const {
  return progress_text(source_.totals(), stats_.records_read.load(),
                       std::chrono::steady_clock::now() - started_);
}

void ProgressReporter::loop(std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  const auto every = terminal_ ? std::chrono::milliseconds(1000) : interval_;
  std::unique_lock lock(mutex);
  while (!wake.wait_for(lock, stop, every, [&] { return stop.stop_requested(); })) {
    if (terminal_) {
      std::fprintf(out_, "\r\033[K%s", text().c_str());
      std::fflush(out_);
    } else {
      spdlog::info("progress: {}", text());
    }
  }
}

}  // namespace gd2s
