#include "transform/severity.h"

#include <cmath>

namespace gd2s {

SeverityBand severity_band(double severity) {
  if (severity >= 9.0) return SeverityBand::kCritical;
  if (severity >= 7.0) return SeverityBand::kHigh;
  if (severity >= 4.0) return SeverityBand::kMedium;
  return SeverityBand::kLow;
}

std::string_view severity_label(SeverityBand band) {
  switch (band) {
    case SeverityBand::kCritical:
      return "Critical";
    case SeverityBand::kHigh:
      return "High";
    case SeverityBand::kMedium:
      return "Medium";
    case SeverityBand::kLow:
      break;
  }
  return "Low";
}

int severity_as_int(double severity) {
  if (!std::isfinite(severity)) return 0;
  return static_cast<int>(std::trunc(severity));
}

}  // namespace gd2s
