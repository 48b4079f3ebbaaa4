#include "app/prometheus_text.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace gd2s {

namespace {

void append_escaped(std::string& out, std::string_view text, bool quotes) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quotes && c == '"')
      out += "\\\"";
    else
      out += c;
  }
}

// Whole numbers as integers (counters stay exact), the rest in the shortest form that
// round-trips; the format's own spellings for the special values.
std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 9.007199254740992e15)
    return fmt::format("{}", static_cast<int64_t>(value));
  return fmt::format("{}", value);
}

}  // namespace

void PrometheusText::family(std::string_view name, MetricType type, std::string_view help) {
  family_ = std::string(name);
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  append_escaped(text_, help, false);
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += type == MetricType::kCounter ? " counter\n" : " gauge\n";
}

void PrometheusText::sample(std::span<const MetricLabel> labels, double value) {
  if (family_.empty()) throw std::logic_error("a metric sample before its family");
  text_ += family_;
  if (!labels.empty()) {
    text_ += '{';
    bool first = true;
    for (const MetricLabel& label : labels) {
      if (!first) text_ += ',';
      first = false;
      text_ += label.name;
      text_ += "=\"";
      append_escaped(text_, label.value, true);
      text_ += '"';
    }
    text_ += '}';
  }
  text_ += ' ';
  text_ += format_value(value);
  text_ += '\n';
}

}  // namespace gd2s
