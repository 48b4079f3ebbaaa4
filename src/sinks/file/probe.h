#pragma once
// `check` for [sink.file]: the file's folder takes new files.

#include "core/probe.h"
#include "sinks/file/config.h"

namespace gd2s {

void probe_file_sink(const FileSinkConfig& config, ProbeReport& report);

}  // namespace gd2s
