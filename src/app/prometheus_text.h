#pragma once
// The Prometheus text exposition format (version 0.0.4): # HELP and # TYPE once per family,
// then one line per sample, label values and help text escaped as the format requires.

#include <string>

#include "core/metrics.h"

namespace gd2s {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

class PrometheusText final : public MetricsWriter {
 public:
  void family(std::string_view name, MetricType type, std::string_view help) override;
  void sample(std::span<const MetricLabel> labels, double value) override;
  using MetricsWriter::sample;

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::string family_;
};

}  // namespace gd2s
