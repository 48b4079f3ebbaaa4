#include "decode/record_reader.h"

#include <cstring>
#include <vector>

namespace gd2s {
namespace {

constexpr size_t kChunk = 64 * 1024;

bool is_blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}

std::string_view strip_bom(std::string_view s) {
  if (s.size() >= 3 && static_cast<unsigned char>(s[0]) == 0xEF &&
      static_cast<unsigned char>(s[1]) == 0xBB && static_cast<unsigned char>(s[2]) == 0xBF)
    return s.substr(3);
  return s;
}

char first_significant(std::string_view s) {
  for (char c : strip_bom(s))
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
  return '\0';
}

}  // namespace

RecordReader::RecordReader(ByteStream& in, ReaderLimits limits) : in_(in), limits_(limits) {}

bool RecordReader::fill() {
  if (eof_) return false;
  if (buffer_pos_ > 0) {
    buffer_.erase(0, buffer_pos_);
    buffer_pos_ = 0;
  }
  size_t old = buffer_.size();
  buffer_.resize(old + kChunk);
  size_t n = in_.read(std::span<char>(buffer_.data() + old, kChunk));
  buffer_.resize(old + n);
  if (n == 0) eof_ = true;
  return n > 0;
}

// Reads one physical line into `out` (without the newline). Lines over max_record_bytes are
// flagged `oversize`; only max_kept_bytes of them are kept. False at the end of the stream.
bool RecordReader::read_line(std::string& out, bool& oversize) {
  out.clear();
  oversize = false;
  size_t total = 0;
  for (;;) {
    if (buffer_pos_ >= buffer_.size() && !fill()) {
      if (total == 0) return false;
      ++line_no_;
      return true;
    }
    const char* start = buffer_.data() + buffer_pos_;
    size_t avail = buffer_.size() - buffer_pos_;
    const void* nl = std::memchr(start, '\n', avail);
    size_t take = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - start) : avail;
    total += take;
    if (total > limits_.max_record_bytes) oversize = true;
    size_t room = out.size() < limits_.max_kept_bytes ? limits_.max_kept_bytes - out.size() : 0;
    out.append(start, std::min(take, room));
    buffer_pos_ += take;
    if (nl != nullptr) {
      ++buffer_pos_;
      ++line_no_;
      if (!out.empty() && out.back() == '\r') out.pop_back();
      return true;
    }
  }
}

void RecordReader::start() {
  // Skip leading blank lines, then decide the shape from the first line that has content.
  bool oversize = false;
  while (read_line(line_, oversize)) {
    if (!is_blank(line_)) break;
  }
  if (is_blank(line_)) {
    mode_ = Mode::kDone;
    return;
  }
  std::string_view body = strip_bom(line_);
  char first = first_significant(body);
  if (!oversize && first == '{') {
    auto parsed = parser_.parse(body.data(), body.size());
    if (!parsed.error()) {
      auto object = parsed.value().get_object();
      bool wrapper = !object.error() &&
                     (!object.value()["findings"].error() || !object.value()["Findings"].error()) &&
                     object.value()["id"].error();
      if (wrapper) {
        std::string text(body);
        expand_document(parsed.value(), text);
        mode_ = Mode::kQueued;
        read_document(std::string());  // a wrapper on one line: anything after it is an error
        return;
      }
      mode_ = Mode::kLines;
      if (body.size() != line_.size()) line_ = std::string(body);
      queued_.push_back(RawRecord{line_no_, std::move(line_)});
      return;
    }
  }
  if (!oversize && (first == '{' || first == '[')) {
    read_document(std::string(body));
    return;
  }
  mode_ = Mode::kLines;
  if (oversize) {
    queued_.push_back(ReadProblem{line_no_, oversize_reason(), std::move(line_)});
  } else {
    queued_.push_back(RawRecord{line_no_, std::string(body)});
  }
}

// Follows the bracket depth of a JSON text line by line, to tell one document spread over lines
// (a pretty-printed finding, an array, a GetFindings response) from JSON Lines.
class DocumentScanner {
 public:
  /// False once the text cannot be a single document: a string runs past the end of a line
  /// (JSON strings cannot), or something follows the end of the first complete value.
  bool feed(std::string_view line) {
    for (char c : line) {
      if (complete_) {
        if (c != ' ' && c != '\t' && c != '\r') return false;
        continue;
      }
      if (in_string_) {
        if (escaped_) {
          escaped_ = false;
        } else if (c == '\\') {
          escaped_ = true;
        } else if (c == '"') {
          in_string_ = false;
        }
        continue;
      }
      if (c == '"') {
        in_string_ = true;
      } else if (c == '{' || c == '[') {
        ++depth_;
      } else if ((c == '}' || c == ']') && --depth_ == 0) {
        complete_ = true;
      }
    }
    return !in_string_;
  }

 private:
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  bool complete_ = false;
};

// The input may be one JSON document spread over lines. Read it whole and expand it. When it
// turns out not to be one document (JSON Lines after all, or broken), every line is judged on
// its own so that each good line still arrives.
void RecordReader::read_document(std::string first_line) {
  struct LineSpan {
    uint64_t number;
    size_t offset;
    size_t length;
    bool oversize;
  };
  std::string text = std::move(first_line);
  std::vector<LineSpan> spans;
  DocumentScanner scanner;
  bool as_lines = false;
  if (!text.empty()) {
    spans.push_back({line_no_, 0, text.size(), false});
    as_lines = !scanner.feed(text);
  }
  bool oversize = false;
  std::string line;
  while (!as_lines && read_line(line, oversize)) {
    if (oversize || text.size() + line.size() + 1 > limits_.max_document_bytes ||
        !scanner.feed(line))
      as_lines = true;
    if (!text.empty()) text += '\n';
    spans.push_back({line_no_, text.size(), line.size(), oversize});
    text += line;
  }
  if (mode_ == Mode::kQueued) {
    // After a one-line wrapper, any further content is an error.
    for (const auto& span : spans) {
      std::string content = text.substr(span.offset, span.length);
      if (!is_blank(content))
        queued_.push_back(ReadProblem{span.number, "text after the findings wrapper document",
                                      std::move(content)});
    }
    mode_ = as_lines ? Mode::kLines : Mode::kDone;
    return;
  }
  if (!as_lines) {
    auto parsed = parser_.parse(text.data(), text.size());
    if (!parsed.error()) {
      expand_document(parsed.value(), text);
      mode_ = Mode::kDone;
      return;
    }
  }
  mode_ = Mode::kLines;
  for (const auto& span : spans) {
    std::string content = text.substr(span.offset, span.length);
    if (span.oversize) {
      queued_.push_back(ReadProblem{span.number, oversize_reason(), std::move(content)});
    } else if (!is_blank(content)) {
      queued_.push_back(RawRecord{span.number, std::move(content)});
    }
  }
}

void RecordReader::expand_document(const simdjson::dom::element& root, const std::string& text) {
  simdjson::dom::array items;
  if (root.is_array()) {
    items = root.get_array().value();
  } else if (root.is_object()) {
    auto object = root.get_object().value();
    simdjson::dom::element inner;
    if (!object["findings"].get(inner) || !object["Findings"].get(inner)) {
      if (!inner.is_array()) {
        queued_.push_back(ReadProblem{1, "\"findings\" is not an array", text});
        return;
      }
      items = inner.get_array().value();
    } else {
      queued_.push_back(RawRecord{1, text});  // a single finding, pretty-printed
      return;
    }
  } else {
    queued_.push_back(ReadProblem{1, "document is not an object or an array", text});
    return;
  }
  uint64_t element = 0;
  for (simdjson::dom::element item : items) {
    ++element;
    queued_.push_back(RawRecord{element, simdjson::minify(item)});
  }
}

std::string RecordReader::oversize_reason() const {
  return "line is longer than the " + std::to_string(limits_.max_record_bytes) +
         "-byte limit for one record (the Logs Ingestion API takes at most 1 MiB per request)";
}

std::optional<ReadItem> RecordReader::next() {
  if (mode_ == Mode::kUnknown) start();
  for (;;) {
    if (!queued_.empty()) {
      ReadItem item = std::move(queued_.front());
      queued_.pop_front();
      return item;
    }
    if (mode_ != Mode::kLines) return std::nullopt;
    bool oversize = false;
    if (!read_line(line_, oversize)) {
      mode_ = Mode::kDone;
      return std::nullopt;
    }
    if (oversize) return ReadProblem{line_no_, oversize_reason(), std::move(line_)};
    if (is_blank(line_)) continue;
    return RawRecord{line_no_, std::move(line_)};
  }
}

}  // namespace gd2s
