#pragma once
// [dead_letter]: where what cannot be delivered is kept, and how much of it.

#include <cstdint>
#include <span>
#include <string>

#include "core/config_reader.h"

namespace gd2s {

struct DeadLetterConfig {
  std::string path = "dead-letters.jsonl";
  int64_t max_original_bytes = 64 * 1024;     // an original longer keeps only its start
  int64_t max_file_bytes = int64_t{1} << 30;  // the file never grows past this
};

/// The keys of [dead_letter], as docs/configuration.md documents them.
std::span<const OptionDoc> dead_letter_options();
void read_dead_letter_config(TableReader& reader, DeadLetterConfig& config);

}  // namespace gd2s
