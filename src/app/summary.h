#pragma once
// The end-of-run report: what was read, what arrived, per severity band and finding type.

#include <string>

#include "pipeline/stats.h"
#include "sources/source.h"

namespace gd2s {

/// A table for people: totals, then rows per finding type with a column per band.
std::string format_summary(const PipelineStats& stats, const SourceTotals& units);

}  // namespace gd2s
