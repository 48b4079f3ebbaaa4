#include "decode/record_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

namespace gd2s {
namespace {

// What one read asks for. Every S3 object being read holds one of these and its gunzip input
// (max_concurrent_objects of each), so they are kept small; 32 KiB reads cost no CPU that the
// benchmarks can tell from 64 KiB ones.
constexpr size_t kChunk = 32 * 1024;
// Levels whose grammar is checked; deeper ones are only counted (the decoder refuses a record
// nested this deep anyway).
constexpr uint64_t kTrackedDepth = 1024;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Numbers, true, false, null: checked by the decoder, only skipped here.
bool is_scalar_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
         c == '+' || c == '.';
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return is_space(c); });
}

// Whitespace outside strings removed; the text as it is when it cannot be (the decoder judges).
std::string minified(std::string text) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  if (simdjson::minify(text.data(), text.size(), out.data(), length) != simdjson::SUCCESS)
    return text;
  out.resize(length);
  return out;
}

std::string limit_text(size_t max_record_bytes) {
  return " is longer than the " + std::to_string(max_record_bytes) +
         "-byte limit for one record (the Logs Ingestion API takes at most 1 MiB per request)";
}

}  // namespace

RecordReader::RecordReader(ByteStream& in, ReaderLimits limits)
    : in_(in), limits_(limits), text_(limits.max_record_bytes, limits.max_kept_bytes) {}

std::optional<ReadItem> RecordReader::next() {
  for (;;) {
    switch (mode_) {
      case Mode::kStart:
        begin();
        break;
      case Mode::kLines:
        return next_line();
      case Mode::kDocument:
        if (auto item = scan()) return item;
        break;
      case Mode::kDone:
        return std::nullopt;
    }
  }
}

// The next chunk, once the buffer is used up; what is being captured is kept first.
bool RecordReader::fill() {
  flush_capture(buffer_.size());
  if (in_record_) {
    capture_ = true;
    capture_from_ = 0;
  }
  buffer_.clear();
  pos_ = 0;
  if (eof_) return false;
  buffer_.resize(kChunk);
  size_t n = in_.read(std::span<char>(buffer_.data(), kChunk));
  buffer_.resize(n);
  if (n == 0) eof_ = true;
  return n > 0;
}

void RecordReader::skip_bom() {
  at_input_start_ = false;
  std::string head = buffer_.substr(pos_);
  while (head.size() < 3 && fill()) head += buffer_;
  buffer_ = std::move(head);
  pos_ = buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
}

// Between values: blank lines are skipped, and the first byte with content decides. An object
// or an array is scanned as a document; anything else is JSON Lines.
void RecordReader::begin() {
  if (at_input_start_) skip_bom();
  for (;;) {
    if (pos_ >= buffer_.size() && !fill()) {
      mode_ = Mode::kDone;
      return;
    }
    char c = buffer_[pos_];
    if (!is_space(c)) break;
    if (c == '\n') ++line_no_;
    ++pos_;
  }
  char c = buffer_[pos_];
  if (c != '{' && c != '[') {
    mode_ = Mode::kLines;
    return;
  }
  mode_ = Mode::kDocument;
  levels_.clear();
  depth_ = 0;
  top_done_ = in_string_ = escaped_ = in_scalar_ = string_is_key_ = lenient_ = false;
  in_record_ = capture_ = key_open_ = findings_key_ = false;
  records_depth_ = c == '[' ? 1 : 0;
}

// ---- JSON Lines ----

// Appends the rest of the current line to text_ (without the newline). False at the end of the
// input when there is nothing of a line.
bool RecordReader::read_line() {
  for (;;) {
    if (pos_ >= buffer_.size() && !fill()) {
      if (text_.size() == 0) return false;
      ++line_no_;
      return true;
    }
    const char* start = buffer_.data() + pos_;
    size_t avail = buffer_.size() - pos_;
    const void* nl = std::memchr(start, '\n', avail);
    size_t take = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - start) : avail;
    text_.append(std::string_view(start, take));
    pos_ += take;
    if (nl != nullptr) {
      ++pos_;
      ++line_no_;
      return true;
    }
  }
}

std::optional<ReadItem> RecordReader::next_line() {
  for (;;) {
    if (!line_open_) text_.clear();
    line_open_ = true;
    bool got = read_line();
    line_open_ = false;
    if (!got) {
      mode_ = Mode::kDone;
      return std::nullopt;
    }
    if (text_.size() > limits_.max_record_bytes) return oversize(line_no_, "line");
    std::string& line = text_.kept();
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (is_blank(line)) continue;
    RawRecord record{line_no_, std::move(line)};
    text_.clear();
    return record;
  }
}

// ---- Documents ----
//
// The bytes are followed through the JSON grammar (strings, escapes, nesting, commas, colons)
// without parsing values. The records are the elements of a top-level array, the elements of the
// array under a top-level "findings"/"Findings" key (a GetFindings response), or else the
// top-level object itself; only the record being read is held. A top-level object that ends on
// the line it began is a JSON Lines line, and the input is read as lines from it. A raw newline
// inside a string (JSON strings cannot hold one), or a grammar error outside a record, means the
// input is not one document: it is read as lines from where the record being read began. A
// grammar error inside an element spoils that element only: its end is found by counting
// brackets, and the decoder says what is wrong with it.

std::optional<ReadItem> RecordReader::scan() {
  while (mode_ == Mode::kDocument) {
    if (pos_ >= buffer_.size()) {
      if (!fill()) return end_of_input();
      if (in_record_ && records_depth_ == 0 && !newline_in_record_ &&
          text_.size() > limits_.max_record_bytes) {
        continue_as_line();  // a line too long for a record, whatever it holds
        return std::nullopt;
      }
    }
    if (auto item = step()) return item;
  }
  return std::nullopt;
}

RecordReader::Level* RecordReader::current() {
  if (depth_ == 0 || depth_ > kTrackedDepth) return nullptr;
  return &levels_[depth_ - 1];
}

// Consumes bytes until an item is ready, the mode changes or the buffer is used up.
std::optional<ReadItem> RecordReader::step() {
  while (pos_ < buffer_.size() && mode_ == Mode::kDocument) {
    if (in_string_) {
      if (auto item = scan_string()) return item;
      continue;
    }
    char c = buffer_[pos_];
    if (in_scalar_) {
      if (is_scalar_char(c)) {
        ++pos_;
        continue;
      }
      in_scalar_ = false;
      if (auto item = value_done(pos_)) return item;
      continue;  // c is looked at again
    }
    if (lenient_) {
      if (auto item = lenient_step(c)) return item;
      continue;
    }
    if (top_done_) {  // after the document, the rest of its line must be blank
      if (c == '\n') {
        ++line_no_;
        ++pos_;
        mode_ = Mode::kStart;
      } else if (is_space(c)) {
        ++pos_;
      } else {
        mode_ = Mode::kLines;  // text after the document: read as lines from here
      }
      continue;
    }
    std::optional<ReadItem> item;
    Level* level = current();
    bool tracked = depth_ <= kTrackedDepth;
    switch (c) {
      case ' ':
      case '\t':
      case '\r':
        ++pos_;
        break;
      case '\n':
        ++line_no_;
        if (in_record_) newline_in_record_ = true;
        ++pos_;
        break;
      case '}':
      case ']':
        item = close(c);
        break;
      case ':':
        if (tracked && (level == nullptr || level->expect != Expect::kColon))
          return structure_error(false);
        if (level != nullptr) level->expect = Expect::kValue;
        ++pos_;
        break;
      case ',':
        if (tracked && (level == nullptr || level->expect != Expect::kCommaOrEnd))
          return structure_error(false);
        if (level != nullptr) level->expect = level->open == '{' ? Expect::kKey : Expect::kValue;
        ++pos_;
        break;
      default:
        if (c != '"' && c != '{' && c != '[' && !is_scalar_char(c)) return structure_error(false);
        item = value_start(c);
        break;
    }
    if (item) return item;
  }
  return std::nullopt;
}

std::optional<ReadItem> RecordReader::scan_string() {
  const char* data = buffer_.data();
  size_t size = buffer_.size();
  size_t p = pos_;
  for (; p < size; ++p) {
    char c = data[p];
    if (escaped_) {
      escaped_ = false;
      if (key_open_) key_ += '\\';  // an escaped key is not one we look for
      continue;
    }
    if (c == '\\') {
      escaped_ = true;
    } else if (c == '\n') {
      pos_ = p;
      return structure_error(true);
    } else if (c == '"') {
      in_string_ = false;
      pos_ = p + 1;
      if (lenient_) return std::nullopt;
      if (string_is_key_) {
        string_is_key_ = false;
        if (key_open_) findings_key_ = key_ == "findings" || key_ == "Findings";
        key_open_ = false;
        return std::nullopt;
      }
      return value_done(pos_);
    } else if (key_open_ && key_.size() <= 8) {
      key_ += c;
    }
  }
  pos_ = p;
  return std::nullopt;
}

// A string, object, array or scalar begins at pos_ (or a key, where one is expected).
std::optional<ReadItem> RecordReader::value_start(char c) {
  if (Level* level = current()) {
    if (level->expect == Expect::kKeyOrEnd || level->expect == Expect::kKey) {
      if (c != '"') return structure_error(false);
      level->expect = Expect::kColon;
      in_string_ = string_is_key_ = true;
      key_open_ = depth_ == 1 && records_depth_ == 0;
      key_.clear();
      findings_key_ = false;
      ++pos_;
      return std::nullopt;
    }
    if (level->expect != Expect::kValue && level->expect != Expect::kValueOrEnd)
      return structure_error(false);
  }
  if (c == '[' && depth_ == 1 && records_depth_ == 0 && findings_key_) {
    // A GetFindings response: its findings are the records, not the object around them.
    in_record_ = capture_ = false;
    text_.clear();
    records_depth_ = 2;
  }
  if (depth_ == records_depth_ && !in_record_) start_record();
  ++pos_;
  if (c == '"') {
    in_string_ = true;
  } else if (c == '{' || c == '[') {
    if (depth_ < kTrackedDepth)
      levels_.push_back({c, c == '{' ? Expect::kKeyOrEnd : Expect::kValueOrEnd});
    ++depth_;
  } else {
    in_scalar_ = true;
  }
  return std::nullopt;
}

std::optional<ReadItem> RecordReader::close(char c) {
  if (Level* level = current()) {
    bool fits = c == '}' ? level->open == '{' && (level->expect == Expect::kKeyOrEnd ||
                                                  level->expect == Expect::kCommaOrEnd)
                         : level->open == '[' && (level->expect == Expect::kValueOrEnd ||
                                                  level->expect == Expect::kCommaOrEnd);
    if (!fits) return structure_error(false);
    levels_.pop_back();
  }
  --depth_;
  ++pos_;
  return value_done(pos_);
}

// A value ended just before `end`.
std::optional<ReadItem> RecordReader::value_done(size_t end) {
  if (depth_ == 0) top_done_ = true;
  if (Level* level = current()) level->expect = Expect::kCommaOrEnd;
  if (in_record_ && depth_ == records_depth_) return record_done(end);
  return std::nullopt;
}

void RecordReader::start_record() {
  in_record_ = capture_ = true;
  capture_from_ = pos_;
  record_line_ = line_no_ + 1;
  newline_in_record_ = false;
  text_.clear();
  if (records_depth_ > 0) ++element_no_;
}

void RecordReader::flush_capture(size_t end) {
  if (!capture_) return;
  text_.append(std::string_view(buffer_).substr(capture_from_, end - capture_from_));
  capture_ = false;
}

std::optional<ReadItem> RecordReader::record_done(size_t end) {
  flush_capture(end);
  in_record_ = false;
  if (records_depth_ == 0 && !newline_in_record_) {
    continue_as_line();  // one object on its line: JSON Lines from here
    return std::nullopt;
  }
  if (text_.size() > limits_.max_record_bytes) {
    return records_depth_ == 0 ? oversize(record_line_, "the document starting on line " +
                                                            std::to_string(record_line_))
                               : oversize(element_no_, "element " + std::to_string(element_no_));
  }
  RawRecord record{records_depth_ == 0 ? record_line_ : element_no_,
                   minified(std::move(text_.kept()))};
  text_.clear();
  return record;
}

// Inside a broken element only brackets count, until a comma or the end of its array.
std::optional<ReadItem> RecordReader::lenient_step(char c) {
  switch (c) {
    case '"':
      in_string_ = true;
      break;
    case '{':
    case '[':
      ++depth_;
      break;
    case '}':
    case ']':
      if (depth_ == records_depth_) return lenient_end();
      --depth_;
      break;
    case ',':
      if (depth_ == records_depth_) return lenient_end();
      break;
    case '\n':
      ++line_no_;
      newline_in_record_ = true;
      break;
    default:
      break;
  }
  ++pos_;
  return std::nullopt;
}

std::optional<ReadItem> RecordReader::lenient_end() {
  lenient_ = false;
  levels_.resize(std::min(records_depth_, kTrackedDepth));
  levels_.back().expect = Expect::kCommaOrEnd;
  return record_done(pos_);  // the comma or bracket is looked at again
}

std::optional<ReadItem> RecordReader::structure_error(bool raw_newline) {
  if (!raw_newline && in_record_ && records_depth_ > 0) {
    lenient_ = true;  // the element is broken; pos_ is looked at again, leniently
    return std::nullopt;
  }
  // Not one document after all.
  flush_capture(pos_);
  mode_ = Mode::kLines;
  if (!in_record_) return std::nullopt;
  if (!text_.cut()) {
    read_as_lines_from_record();
    return std::nullopt;
  }
  in_record_ = false;
  return oversize(record_line_, "the text from line " + std::to_string(record_line_) +
                                    " is not one JSON document and");
}

void RecordReader::continue_as_line() {
  capture_ = in_record_ = false;
  line_open_ = true;
  mode_ = Mode::kLines;
}

// Reads the record's text again as lines, from the line it began on.
void RecordReader::read_as_lines_from_record() {
  buffer_ = std::move(text_.kept()) + buffer_.substr(pos_);
  pos_ = 0;
  text_.clear();
  in_record_ = capture_ = false;
  line_no_ = record_line_ - 1;
  mode_ = Mode::kLines;
}

std::optional<ReadItem> RecordReader::end_of_input() {
  if (in_scalar_) {
    in_scalar_ = false;
    if (auto item = value_done(pos_)) return item;
  }
  if (mode_ != Mode::kDocument) return std::nullopt;
  mode_ = Mode::kDone;
  if (top_done_) return std::nullopt;
  if (in_record_ && records_depth_ == 0) {
    in_record_ = false;
    if (!text_.cut()) {
      read_as_lines_from_record();
      return std::nullopt;
    }
    return oversize(record_line_, "the text from line " + std::to_string(record_line_) +
                                      " ends before its JSON document does, and");
  }
  if (in_record_) {
    // An element cut short: the decoder says what is wrong with what there is.
    in_record_ = lenient_ = false;
    if (text_.size() > limits_.max_record_bytes)
      return oversize(element_no_, "element " + std::to_string(element_no_));
    RawRecord record{element_no_, std::move(text_.kept())};
    text_.clear();
    return record;
  }
  return ReadProblem{element_no_ + 1,
                     "the input ends inside its JSON document, after element " +
                         std::to_string(element_no_) + ": it is cut short",
                     std::string()};
}

ReadProblem RecordReader::oversize(uint64_t line, std::string what) {
  ReadProblem problem{line, std::move(what) + limit_text(limits_.max_record_bytes),
                      std::move(text_.kept()), text_.truncation()};
  text_.clear();
  return problem;
}

}  // namespace gd2s
