#include "core/json_text.h"

#include <rapidjson/internal/dtoa.h>

#include <array>
#include <charconv>
#include <cmath>

namespace gd2s {
namespace {

// 0: the byte goes out as it is; else the letter after the backslash ('u': \u00XX).
constexpr std::array<char, 256> kEscape = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 'u';
  table['\b'] = 'b';
  table['\t'] = 't';
  table['\n'] = 'n';
  table['\f'] = 'f';
  table['\r'] = 'r';
  table['"'] = '"';
  table['\\'] = '\\';
  return table;
}();

template <typename Integer>
void append_integer(std::string& out, Integer value) {
  char digits[24];
  const char* end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, static_cast<size_t>(end - digits));
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size() + 2);
  out += '"';
  const char* run = text.data();  // the start of the bytes not yet written
  const char* end = text.data() + text.size();
  for (const char* p = run; p != end; ++p) {
    const char escape = kEscape[static_cast<unsigned char>(*p)];
    if (escape == 0) continue;
    out.append(run, p);
    out += '\\';
    out += escape;
    if (escape == 'u') {
      constexpr char kHex[] = "0123456789ABCDEF";
      const auto byte = static_cast<unsigned char>(*p);
      out += "00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
    run = p + 1;
  }
  out.append(run, end);
  out += '"';
}

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char digits[32];
  const char* end = rapidjson::internal::dtoa(value, digits);
  out.append(digits, static_cast<size_t>(end - digits));
}

void append_json_number(std::string& out, int64_t value) {
  append_integer(out, value);
}

void append_json_number(std::string& out, uint64_t value) {
  append_integer(out, value);
}

}  // namespace gd2s
