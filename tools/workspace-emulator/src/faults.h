// Fault injection: rules that make an endpoint answer 429 (with Retry-After
// in seconds or as an HTTP date), 500, 503 or any other status, reset the
// connection, or answer slowly — on a schedule (the Nth requests), every Nth
// request, at a rate, after the first N, at most N times.
#pragma once

#include <rapidjson/document.h>

#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "thread_annotations.h"

namespace wsemu {

enum class Endpoint { Token, Imds, LogsIngestion, DataCollector, Arm };
std::optional<Endpoint> parse_endpoint(std::string_view name);
std::string_view to_string(Endpoint endpoint);

enum class FaultKind { Status, Reset, Slow };

struct FaultRule {
  std::optional<Endpoint> endpoint;  // none: every endpoint
  FaultKind kind = FaultKind::Status;
  int status = 503;
  std::optional<std::int64_t> retry_after_seconds;
  bool retry_after_http_date = false;
  std::vector<std::uint64_t> schedule;  // 1-based request numbers on the endpoint
  std::uint64_t every = 0;
  double rate = -1;  // probability; negative: unset
  std::uint64_t after = 0;
  std::uint64_t times = 0;  // 0: unlimited
  int delay_ms = 0;
  std::uint64_t injected = 0;
};

struct FaultDecision {
  int delay_ms = 0;
  std::optional<FaultKind> kind;  // Status or Reset; Slow only adds delay
  int status = 0;
  std::optional<std::string> retry_after;  // the header value to send
  std::string label;                       // e.g. "429", "reset", "slow 2000ms"
};

/// Parses a JSON array of rules; on error returns an empty vector and sets `error`.
std::vector<FaultRule> parse_fault_rules(const rapidjson::Value& rules, std::string* error);

class FaultInjector {
 public:
  explicit FaultInjector(std::uint64_t seed);

  void replace(std::vector<FaultRule> rules);
  void append(std::vector<FaultRule> rules);
  void clear();

  /// Counts one request on `endpoint` and says which fault, if any, applies.
  FaultDecision decide(Endpoint endpoint, std::int64_t now_epoch_seconds);

  /// The rules with their injection counts, as JSON.
  std::string to_json();

 private:
  Mutex mutex_;
  std::vector<FaultRule> rules_ GUARDED_BY(mutex_);
  std::array<std::uint64_t, 5> counts_ GUARDED_BY(mutex_) = {};
  std::mt19937_64 random_ GUARDED_BY(mutex_);
};

}  // namespace wsemu
