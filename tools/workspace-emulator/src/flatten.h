// How the legacy Data Collector API turns a JSON record into columns of a
// <LogType>_CL table (REFERENCE.md §10.5): nested objects flattened with '_',
// a suffix by value type (string _s, double _d, boolean _b, date-time _t,
// GUID _g), arrays as JSON text in _s, nulls left out, a string "Computer"
// kept as is, a top-level number "severity" (any case) in the column Severity
// without suffix, values cut at 32 KB.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <string>
#include <vector>

namespace wsemu {

enum class DcType { String, Double, Boolean, Datetime, Guid };

struct DcField {
  std::string column;
  DcType type = DcType::String;
  std::string text;  // String, Datetime, Guid
  double number = 0;
  bool boolean = false;
};

char suffix_letter(DcType type);

/// The columns of one record, in document order.
std::vector<DcField> flatten_record(const rapidjson::Value& record, std::size_t max_value_bytes);

/// Replaces every character other than a letter, digit or '_' with '_'.
std::string sanitize_property_name(const std::string& name);

/// Cuts UTF-8 text to at most `max_bytes` without splitting a character.
std::string truncate_utf8(std::string text, std::size_t max_bytes);

}  // namespace wsemu
