#pragma once
// Logs go to stderr (stdout may be the sink): text for people, JSON lines for collectors.

#include <string>

namespace gd2s {

/// `level`: trace, debug, info, warn, error. `format`: text or json.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace gd2s
