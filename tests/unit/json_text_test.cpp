#include "core/json_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/json_writer.h"

namespace gd2s {
namespace {

// What RapidJSON's Writer writes for one value: the rows' bytes before json_text existed.
template <typename Write>
std::string rapidjson_text(Write write) {
  std::string out;
  StringSink sink(out);
  JsonWriter w(sink);
  write(w);
  return out;
}

TEST(JsonText, EveryByteIsEscapedAsRapidJsonEscapesIt) {
  for (int byte = 0; byte < 256; ++byte) {
    const std::string text = "a" + std::string(1, static_cast<char>(byte)) + "b";
    std::string ours;
    append_json_string(ours, text);
    EXPECT_EQ(ours, rapidjson_text([&](JsonWriter& w) { write_string(w, text); }))
        << "byte " << byte;
  }
}

TEST(JsonText, StringsOfEscapesAndUtf8MatchRapidJson) {
  const std::vector<std::string> texts = {
      "",
      "plain",
      R"(C:\Windows\System32 "quoted")",
      "line\nbreak\ttab\r\x01\x1f",
      "\"\"\\\\",
      "Ünïcödé ✓ 🛡",
      std::string("nul\0inside", 10),
      R"([{"Key":"Name","Value":"web-1"}])",
  };
  for (const std::string& text : texts) {
    std::string ours = "prefix:";
    append_json_string(ours, text);
    EXPECT_EQ(ours, "prefix:" + rapidjson_text([&](JsonWriter& w) { write_string(w, text); }));
  }
}

TEST(JsonText, NumbersAreWrittenAsRapidJsonWritesThem) {
  for (double value : {0.0, -0.0, 1.0, 8.0, 5.5, 0.1, 1e-7, 1e21, 123456789.125, -2.5e-300,
                       1.7976931348623157e308, 4.9e-324, 1630373475.0, 0.30000000000000004}) {
    std::string ours;
    append_json_number(ours, value);
    EXPECT_EQ(ours, rapidjson_text([&](JsonWriter& w) { w.Double(value); })) << value;
  }
  for (int64_t value : {int64_t{0}, int64_t{-1}, int64_t{42}, std::numeric_limits<int64_t>::min(),
                        std::numeric_limits<int64_t>::max()}) {
    std::string ours;
    append_json_number(ours, value);
    EXPECT_EQ(ours, rapidjson_text([&](JsonWriter& w) { w.Int64(value); }));
  }
  for (uint64_t value : {uint64_t{0}, uint64_t{7}, std::numeric_limits<uint64_t>::max()}) {
    std::string ours;
    append_json_number(ours, value);
    EXPECT_EQ(ours, rapidjson_text([&](JsonWriter& w) { w.Uint64(value); }));
  }
}

TEST(JsonText, NonFiniteNumbersAreWrittenAsNull) {
  std::string out;
  append_json_number(out, std::numeric_limits<double>::quiet_NaN());
  out += ',';
  append_json_number(out, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(out, "null,null");
}

}  // namespace
}  // namespace gd2s
