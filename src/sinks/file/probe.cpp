#include "sinks/file/probe.h"

#include <unistd.h>

#include <filesystem>

namespace gd2s {

void probe_file_sink(const FileSinkConfig& config, ProbeReport& report) {
  const std::string& path = config.path;
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (path == "-" || ::access(dir.empty() ? "." : dir.c_str(), W_OK) == 0)
    report.ok("file sink " + path);
  else
    report.fail("file sink " + path, "its folder is not writable by this user");
}

}  // namespace gd2s
