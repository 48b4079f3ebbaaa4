#include "app/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/version.h"

namespace gd2s {

void write_process_metrics(MetricsWriter& out, std::chrono::system_clock::time_point started) {
  out.family("gd2sentinel_build_info", MetricType::kGauge, "The running version, as a label");
  out.sample({{"version", kVersion}}, 1);

  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  double virtual_pages = 0, resident_pages = 0;
  if (std::ifstream statm("/proc/self/statm"); statm) statm >> virtual_pages >> resident_pages;
  out.family("process_resident_memory_bytes", MetricType::kGauge, "Resident memory size in bytes");
  out.sample({}, resident_pages * page);
  out.family("process_virtual_memory_bytes", MetricType::kGauge, "Virtual memory size in bytes");
  out.sample({}, virtual_pages * page);

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  out.family("process_cpu_seconds_total", MetricType::kCounter,
             "User and system CPU time spent in seconds");
  out.sample({}, seconds(usage.ru_utime) + seconds(usage.ru_stime));

  std::error_code ec;
  double fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++fds;
  out.family("process_open_fds", MetricType::kGauge, "Number of open file descriptors");
  out.sample({}, fds);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.family("process_max_fds", MetricType::kGauge, "Maximum number of open file descriptors");
    out.sample({}, static_cast<double>(limit.rlim_cur));
  }

  out.family("process_start_time_seconds", MetricType::kGauge,
             "Start time of the process since the Unix epoch in seconds");
  out.sample({}, std::chrono::duration<double>(started.time_since_epoch()).count());
}

}  // namespace gd2s
