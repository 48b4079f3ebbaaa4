#include "sinks/dead_letter_reader.h"

#include <simdjson.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "core/base64.h"
#include "core/sha256.h"
#include "core/time.h"

namespace gd2s {
namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// A string member, or why the line lacks it.
std::variant<std::string_view, std::string> string_member(const simdjson::dom::object& object,
                                                          const char* key) {
  std::string_view value;
  if (object[key].get_string().get(value))
    return "\"" + std::string(key) + "\" is missing or not a string";
  return value;
}

std::variant<DeadLetter, std::string> parse_with(simdjson::dom::parser& parser,
                                                 std::string_view line) {
  simdjson::dom::object object;
  if (auto error = parser.parse(line.data(), line.size()).get_object().get(object); error)
    return std::string("not a JSON object (") + simdjson::error_message(error) + ")";

  DeadLetter letter;
  std::string_view text;
  auto stage = string_member(object, "stage");
  if (auto* why = std::get_if<std::string>(&stage)) return std::move(*why);
  std::string_view stage_text = std::get<std::string_view>(stage);
  if (std::optional<DeadLetterStage> known = parse_stage(stage_text))
    letter.stage = *known;
  else
    return "\"stage\" is \"" + std::string(stage_text) + "\", not decode, transform or sink";
  for (auto [key, out] : {std::pair<const char*, std::string*>{"reason", &letter.reason},
                          {"source", &letter.source},
                          {"unit", &letter.unit}}) {
    auto value = string_member(object, key);
    if (auto* why = std::get_if<std::string>(&value)) return std::move(*why);
    *out = std::get<std::string_view>(value);
  }

  auto time = string_member(object, "time");
  if (auto* why = std::get_if<std::string>(&time)) return std::move(*why);
  auto at = parse_iso8601(std::get<std::string_view>(time));
  if (!at) return "\"time\" is not an ISO 8601 time";
  letter.at = *at;

  if (object["line"].get_uint64().get(letter.line))
    return "\"line\" is missing or not a whole number";

  if (!object["original"].get_string().get(text)) {
    letter.original = text;
  } else if (!object["original_base64"].get_string().get(text)) {
    auto bytes = base64_decode(text);
    if (!bytes) return "\"original_base64\" is not base64";
    letter.original = std::move(*bytes);
  } else {
    return "neither \"original\" nor \"original_base64\" is a string";
  }
  bool truncated = false;
  if (auto error = object["original_truncated"].get_bool().get(truncated);
      error && error != simdjson::NO_SUCH_FIELD)
    return "\"original_truncated\" is not true or false";
  if (truncated) {
    TruncatedOriginal whole;
    if (object["original_bytes"].get_uint64().get(whole.bytes))
      return "\"original_bytes\" is missing or not a whole number";
    if (object["original_sha256"].get_string().get(text) || text.size() != 64)
      return "\"original_sha256\" is missing or not 64 hex digits";
    whole.sha256 = text;
    letter.truncated = std::move(whole);
  }
  return letter;
}

}  // namespace

std::string dead_letter_line_sha256(std::string_view bytes) {
  Sha256 hash;
  hash.update(bytes);
  return hash.hex_digest();
}

std::variant<DeadLetter, std::string> parse_dead_letter(std::string_view line) {
  simdjson::dom::parser parser;
  return parse_with(parser, line);
}

DeadLetterScan read_dead_letters(const std::string& path,
                                 const std::function<void(DeadLetterEntry&)>& on_entry) {
  DeadLetterScan scan;
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    if (errno == ENOENT) {
      scan.exists = false;
      return scan;
    }
    throw std::runtime_error("cannot read dead-letter file " + path + ": " + std::strerror(errno));
  }
  // Only what the file holds now: lines appended while reading are for the next time.
  struct stat info {};
  if (::fstat(fileno(file.get()), &info) != 0)
    throw std::runtime_error("cannot read dead-letter file " + path + ": " + std::strerror(errno));
  auto remaining = static_cast<uint64_t>(info.st_size);

  simdjson::dom::parser parser;
  std::unordered_map<std::string, uint64_t> seen;  // line hash → lines with it so far
  uint64_t number = 0;
  auto take_line = [&](std::string_view line) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return;  // blank
    auto parsed = parse_with(parser, line);
    if (auto* why = std::get_if<std::string>(&parsed)) {
      scan.bad_lines.push_back({number, std::move(*why)});
      return;
    }
    DeadLetterEntry entry;
    entry.number = number;
    entry.line_sha256 = dead_letter_line_sha256(line);
    entry.ordinal = ++seen[entry.line_sha256];
    entry.letter = std::move(std::get<DeadLetter>(parsed));
    ++scan.entries;
    on_entry(entry);
  };

  std::string pending;  // the start of a line whose newline is not read yet
  std::array<char, 64 * 1024> chunk{};
  while (remaining > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(remaining, chunk.size()));
    size_t got = std::fread(chunk.data(), 1, want, file.get());
    if (got == 0) {
      if (std::ferror(file.get()))
        throw std::runtime_error("cannot read dead-letter file " + path + ": " +
                                 std::strerror(errno));
      break;  // truncated meanwhile
    }
    remaining -= got;
    std::string_view data(chunk.data(), got);
    for (size_t newline; (newline = data.find('\n')) != std::string_view::npos;) {
      if (pending.empty()) {
        take_line(data.substr(0, newline));
      } else {
        pending.append(data.substr(0, newline));
        take_line(pending);
        pending.clear();
      }
      data.remove_prefix(newline + 1);
    }
    pending.append(data);
  }
  scan.partial_last_line = !pending.empty();
  return scan;
}

}  // namespace gd2s
