#pragma once
// `check` for [source.files]: every path it names exists.

#include "core/probe.h"
#include "sources/files/config.h"

namespace gd2s {

void probe_files_source(const FilesSourceConfig& config, ProbeReport& report);

}  // namespace gd2s
