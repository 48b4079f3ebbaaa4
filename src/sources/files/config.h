#pragma once
// [source.files]: local files and folders (replay, pipes, tests, the demo).

#include <span>
#include <string>
#include <vector>

#include "core/config_reader.h"

namespace gd2s {

struct FilesSourceConfig {
  std::vector<std::string> paths;
  std::vector<std::string> include{"*.json", "*.jsonl", "*.ndjson", "*.gz"};
};

/// The keys of [source.files], as docs/configuration.md documents them.
std::span<const OptionDoc> files_source_options();
void read_files_source_config(TableReader& reader, FilesSourceConfig& config);

}  // namespace gd2s
