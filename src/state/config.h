#pragma once
// [state]: where the state store (SQLite) lives.

#include <span>
#include <string>

#include "core/config_reader.h"

namespace gd2s {

struct StateConfig {
  std::string path = "gd2sentinel.db";
};

/// The keys of [state], as docs/configuration.md documents them.
std::span<const OptionDoc> state_options();
void read_state_config(TableReader& reader, StateConfig& config);

}  // namespace gd2s
