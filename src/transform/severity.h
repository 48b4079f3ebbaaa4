#pragma once
// GuardDuty severity bands (REFERENCE §12.1): Critical 9.0–10.0 (attack sequences), High 7.0–8.9,
// Medium 4.0–6.9, Low below 4.0.

#include <string_view>

namespace gd2s {

enum class SeverityBand { kLow, kMedium, kHigh, kCritical };

SeverityBand severity_band(double severity);
std::string_view severity_label(SeverityBand band);

/// The native table's int Severity: truncation keeps every finding in its band (3.9 → 3, Low),
/// where rounding would move it (3.9 → 4, Medium).
int severity_as_int(double severity);

}  // namespace gd2s
