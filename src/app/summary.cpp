#include "app/summary.h"

#include <fmt/format.h>

#include <algorithm>

namespace gd2s {

std::string format_summary(const PipelineStats& stats, const SourceTotals& units) {
  std::string out;
  out += fmt::format("units:   {} opened, {} committed, {} left for the next run\n",
                     units.units_opened, units.units_committed,
                     units.units_opened - units.units_committed);
  out += fmt::format(
      "records: {} read, {} rows written, {} filtered, {} duplicates, "
      "{} dead letters\n",
      stats.records_read.load(), stats.rows_accepted.load(), stats.filtered.load(),
      stats.duplicates.load(), stats.dead_letters.load());
  auto types = stats.types();
  if (types.empty()) return out;
  size_t width = 12;
  for (const auto& [type, counts] : types) width = std::max(width, type.size());
  out += fmt::format("\n{:<{}}  {:>8} {:>6} {:>6} {:>4} {:>5}\n", "finding type", width, "Critical",
                     "High", "Medium", "Low", "Total");
  auto row = [&](const std::string& label, const BandCounts& c) {
    out += fmt::format("{:<{}}  {:>8} {:>6} {:>6} {:>4} {:>5}\n", label, width, c.by_band[3],
                       c.by_band[2], c.by_band[1], c.by_band[0], c.total());
  };
  for (const auto& [type, counts] : types) row(type, counts);
  row("all findings", stats.bands());
  return out;
}

}  // namespace gd2s
