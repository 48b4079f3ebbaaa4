#pragma once
// Logs go to stderr (stdout may be the sink): text for people, JSON lines for collectors.

#include <string>
#include <string_view>

namespace gd2s {

/// `level`: trace, debug, info, warn, error. `format`: text or json.
void setup_logging(const std::string& level, const std::string& format);

/// Prints an error for people on stderr, one line, with its secrets taken out (core/redaction.h).
void print_error(std::string_view message);

}  // namespace gd2s
