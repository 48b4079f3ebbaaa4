#pragma once
// JSON text appended straight to a std::string, for rows written member by member on the hot
// path (the legacy schema writes ~60 of them a finding). The bytes are the ones RapidJSON's
// Writer writes for the same values, so rows do not change with the writer that wrote them.

#include <cstdint>
#include <string>
#include <string_view>

namespace gd2s {

/// `text` as a JSON string, quoted: '"', '\\' and the control characters escaped (\b \t \n \f
/// \r, else \u00XX), everything else, UTF-8 included, as it is.
void append_json_string(std::string& out, std::string_view text);

/// The shortest decimal that reads back as `value` ("8.0", "0.1", "1e-7"), as RapidJSON writes
/// it. JSON has no NaN or infinity: those are written as null.
void append_json_number(std::string& out, double value);
void append_json_number(std::string& out, int64_t value);
void append_json_number(std::string& out, uint64_t value);

}  // namespace gd2s
