// The floor benchmark (bench/stages.cpp) run from the end-to-end scripts, so that their figures
// and the floor's are measured side by side in one run, on the machine as it is at that moment.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/// CPU µs per finding of `benchmark` (BM_Floor: the S3 path; BM_FloorFile: the file path), the
/// median of three runs; null when `build` has no gd2s_bench_stages (built with GD2S_BUILD_BENCH).
export function floorMicros(build, benchmark) {
  const binary = path.join(build, "bench/gd2s_bench_stages");
  if (!fs.existsSync(binary)) return null;
  const out = execFileSync(binary, [`--benchmark_filter=^${benchmark}$`, "--benchmark_min_time=1",
    "--benchmark_repetitions=3", "--benchmark_report_aggregates_only=true", "--benchmark_format=json"],
  { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const median = JSON.parse(out).benchmarks.find((b) => b.aggregate_name === "median");
  return Number((1e6 / median.items_per_second).toFixed(2));
}
