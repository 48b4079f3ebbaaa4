#include "sources/files/probe.h"

#include <filesystem>

namespace gd2s {

void probe_files_source(const FilesSourceConfig& config, ProbeReport& report) {
  for (const std::string& path : config.paths) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec))
      report.ok("files source " + path);
    else
      report.fail("files source " + path, "does not exist");
  }
}

}  // namespace gd2s
