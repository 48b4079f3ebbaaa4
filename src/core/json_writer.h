#pragma once
// JSON output through RapidJSON's writer, appending to a caller's std::string so a row can be
// built without intermediate copies.

#include <rapidjson/writer.h>

#include <functional>
#include <string>
#include <string_view>

namespace gd2s {

/// Adapts std::string to RapidJSON's output stream concept.
class StringSink {
 public:
  using Ch = char;
  explicit StringSink(std::string& out) : out_(out) {}
  void Put(char c) { out_.push_back(c); }
  void Flush() {}
  std::string& str() { return out_; }

 private:
  std::string& out_;
};

using JsonWriter = rapidjson::Writer<StringSink>;

inline void write_key(JsonWriter& w, std::string_view key) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
inline void write_string(JsonWriter& w, std::string_view value) {
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
/// Inserts already-serialised JSON as the next value.
inline void write_raw(JsonWriter& w, std::string_view json, rapidjson::Type type) {
  w.RawValue(json.data(), json.size(), type);
}
/// The same for a writer that writes to `sink`, appending the bytes in one go rather than
/// through the writer one character at a time (rows embed whole objects this way).
inline void write_raw(JsonWriter& w, StringSink& sink, std::string_view json,
                      rapidjson::Type type) {
  w.RawValue("", 0, type);  // the separator before the value, and the writer's own bookkeeping
  sink.str().append(json);
}

/// `{…}` holding the members `members` writes: a request body in one expression.
inline std::string json_object(const std::function<void(JsonWriter&)>& members) {
  std::string out;
  StringSink sink(out);
  JsonWriter w(sink);
  w.StartObject();
  members(w);
  w.EndObject();
  return out;
}

}  // namespace gd2s
