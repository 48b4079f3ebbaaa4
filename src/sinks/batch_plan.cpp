#include "sinks/batch_plan.h"

namespace gd2s {

std::vector<PlannedBatch> plan_batches(std::span<const size_t> row_sizes, size_t max_bytes) {
  std::vector<PlannedBatch> plan;
  BatchBudget budget(max_bytes);
  size_t begin = 0;
  auto close = [&](size_t end) {
    if (end > begin) plan.push_back({begin, end, false});
    budget.reset();
  };
  for (size_t i = 0; i < row_sizes.size(); ++i) {
    if (budget.too_large(row_sizes[i])) {
      close(i);
      plan.push_back({i, i + 1, true});
      begin = i + 1;
      continue;
    }
    if (!budget.fits(row_sizes[i])) {
      close(i);
      begin = i;
    }
    budget.add(row_sizes[i]);
  }
  close(row_sizes.size());
  return plan;
}

}  // namespace gd2s
