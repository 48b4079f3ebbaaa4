#include "sinks/dead_letter_config.h"

namespace gd2s {
namespace {

constexpr OptionDoc kOptions[] = {
    {"path", "string", R"(`"dead-letters.jsonl"`)"},
    {"max_original_bytes", "whole number, 1024–1048576", "`65536` (64 KiB)"},
    {"max_file_bytes", "whole number, at least 65536", "`1073741824` (1 GiB)"},
};

}  // namespace

std::span<const OptionDoc> dead_letter_options() {
  return kOptions;
}

void read_dead_letter_config(TableReader& r, DeadLetterConfig& options) {
  r.read("path", options.path);
  if (options.path.empty()) r.issue("path", "must not be empty");
  r.read("max_original_bytes", options.max_original_bytes);
  if (options.max_original_bytes < 1024 || options.max_original_bytes > 1024 * 1024)
    r.issue("max_original_bytes", "must be between 1024 and 1048576 (the record limit, 1 MiB)");
  r.read("max_file_bytes", options.max_file_bytes);
  if (options.max_file_bytes < 65536) r.issue("max_file_bytes", "must be at least 65536 (64 KiB)");
}

}  // namespace gd2s
