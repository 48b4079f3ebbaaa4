#include "sources/files/config.h"

namespace gd2s {
namespace {

constexpr OptionDoc kOptions[] = {
    {"paths", "list", "(required)"},
    {"include", "list of globs", R"(`["*.json", "*.jsonl", "*.ndjson", "*.gz"]`)"},
};

}  // namespace

std::span<const OptionDoc> files_source_options() {
  return kOptions;
}

void read_files_source_config(TableReader& r, FilesSourceConfig& files) {
  r.read("paths", files.paths);
  r.read("include", files.include);
  if (files.paths.empty() && r.line_of("paths") == 0)
    r.issue("paths", "is required: the files or folders to read");
  else if (files.paths.empty())
    r.issue("paths", "must name at least one file or folder");
}

}  // namespace gd2s
