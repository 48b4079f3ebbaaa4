#pragma once
// Reads the dead-letter file back, for `dead-letters list|replay`: every complete line as the
// file stands when reading starts. A running gd2sentinel may be appending to it, so a last line
// without its newline is being written and is left for later; a line that is not a dead letter
// is reported and skipped. Nothing here ever writes to the file.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/dead_letter.h"

namespace gd2s {

/// One dead letter read back, with what identifies its line for good.
struct DeadLetterEntry {
  uint64_t number = 0;      // the line's number in the file, 1-based
  std::string line_sha256;  // SHA-256 of the line's bytes (without the newline), hex
  uint64_t ordinal = 1;     // 1 for the first line with these bytes, 2 for the next, ...
  DeadLetter letter;
};

/// A line that is not a dead letter.
struct DeadLetterFileProblem {
  uint64_t number = 0;
  std::string reason;
};

/// What reading the file found besides the entries.
struct DeadLetterScan {
  bool exists = true;  // false: no file yet, so no dead letters
  uint64_t entries = 0;
  std::vector<DeadLetterFileProblem> bad_lines;
  bool partial_last_line = false;  // the last line has no newline yet: being written, skipped
};

/// Calls `on_entry` for every dead letter in `path`, in file order (the entry may be moved
/// from). Throws std::runtime_error when the file exists but cannot be read.
DeadLetterScan read_dead_letters(const std::string& path,
                                 const std::function<void(DeadLetterEntry&)>& on_entry);

/// One line (without its newline) as a dead letter, or the reason it is not one.
std::variant<DeadLetter, std::string> parse_dead_letter(std::string_view line);

/// SHA-256 of `bytes` as 64 lowercase hex digits.
std::string dead_letter_line_sha256(std::string_view bytes);

}  // namespace gd2s
