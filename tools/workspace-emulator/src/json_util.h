// Small helpers around RapidJSON: serialising values and reading typed members.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace wsemu {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

/// The compact JSON text of a value.
std::string to_json(const rapidjson::Value& value);

/// A JSON string literal (with quotes) for `text`.
std::string json_quote(std::string_view text);

/// Writes a string view as a JSON string through a writer.
inline void write_string(JsonWriter& w, std::string_view text) {
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

/// Writes `"key": "value"` through a writer.
inline void write_member(JsonWriter& w, std::string_view key, std::string_view value) {
  write_string(w, key);
  write_string(w, value);
}

/// A string member of an object, if present and a string.
std::optional<std::string> string_member(const rapidjson::Value& object, const char* name);

/// An integer member of an object (integral JSON number), if present.
std::optional<std::int64_t> int_member(const rapidjson::Value& object, const char* name);

/// A number member of an object, if present.
std::optional<double> number_member(const rapidjson::Value& object, const char* name);

/// A boolean member of an object, if present.
std::optional<bool> bool_member(const rapidjson::Value& object, const char* name);

}  // namespace wsemu
