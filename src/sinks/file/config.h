#pragma once
// [sink.file]: rows as JSON Lines into a file or stdout.

#include <span>
#include <string>

#include "core/config_reader.h"

namespace gd2s {

struct FileSinkConfig {
  std::string path = "-";
};

/// The keys of [sink.file], as docs/configuration.md documents them.
std::span<const OptionDoc> file_sink_options();
void read_file_sink_config(TableReader& reader, FileSinkConfig& config);

}  // namespace gd2s
