#pragma once
// What a component reports to the metrics endpoint. Components write their own families
// through this interface and know nothing of the exposition format or the HTTP listener.

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace gd2s {

/// The answer to "is the service doing its job?" (/readyz): whether, and one line for why.
struct Readiness {
  bool ready = false;
  std::string reason;
};

enum class MetricType { kCounter, kGauge };

struct MetricLabel {
  std::string_view name;
  std::string value;
};

class MetricsWriter {
 public:
  virtual ~MetricsWriter() = default;
  /// Starts a family; its samples follow. A family is written by one component only.
  virtual void family(std::string_view name, MetricType type, std::string_view help) = 0;
  virtual void sample(std::span<const MetricLabel> labels, double value) = 0;
  void sample(std::initializer_list<MetricLabel> labels, double value) {
    sample(std::span<const MetricLabel>(labels.begin(), labels.size()), value);
  }
};

}  // namespace gd2s
