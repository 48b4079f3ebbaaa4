#pragma once
// The reading position in a Logstash config's text, shared by the pipeline parser
// (logstash_config.cpp) and the condition parser (logstash_condition.cpp): line and column,
// whitespace and comments, and errors that say what was expected and what was found.

#include <string>
#include <string_view>

#include "migrate/logstash_config.h"

namespace gd2s::logstash::detail {

inline bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}
inline bool is_word_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
inline bool is_word_char(char c) {
  return is_word_start(c) || (c >= '0' && c <= '9');
}
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

class Scanner {
 public:
  Scanner(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  struct Mark {
    size_t at;
    int line, column;
  };

  bool eof() const { return at_ >= text_.size(); }
  char peek(size_t ahead = 0) const {
    return at_ + ahead < text_.size() ? text_[at_ + ahead] : '\0';
  }
  SourcePos pos() const { return SourcePos{file_, line_, column_}; }
  Mark mark() const { return Mark{at_, line_, column_}; }
  void reset(const Mark& m) {
    at_ = m.at;
    line_ = m.line;
    column_ = m.column;
  }
  void advance(size_t n = 1) {
    for (size_t i = 0; i < n && !eof(); ++i) {
      if (text_[at_++] == '\n') {
        ++line_;
        column_ = 1;
      } else {
        ++column_;
      }
    }
  }
  bool looking_at(std::string_view s) const { return text_.substr(at_).starts_with(s); }
  // `word` as a whole word: not followed by a name character.
  bool looking_at_word(std::string_view word) const {
    return looking_at(word) && !is_name_char(peek(word.size()));
  }

  // Whitespace and `#` comments; true when anything was skipped.
  bool skip_cs() {
    size_t start = at_;
    while (!eof()) {
      if (is_space(peek())) {
        advance();
      } else if (peek() == '#') {
        while (!eof() && peek() != '\n') advance();
      } else {
        break;
      }
    }
    return at_ != start;
  }

  std::string found() const {
    if (eof()) return "the end of the file";
    if (is_name_char(peek())) {
      size_t end = at_;
      while (end < text_.size() && is_name_char(text_[end])) ++end;
      return "'" + std::string(text_.substr(at_, end - at_)) + "'";
    }
    if (peek() == '"' || peek() == '\'') return "a string";
    return std::string("'") + peek() + "'";
  }

  [[noreturn]] void fail(const std::string& expected) const {
    throw ParseError(pos(), "expected " + expected + ", found " + found());
  }
  void expect(char c, const std::string& expected) {
    if (peek() != c || eof()) fail(expected);
    advance();
  }

  // A quoted string's text as written (a backslash-escaped quote does not end it).
  std::string_view quoted() {
    SourcePos start = pos();
    char quote = peek();
    advance();
    size_t from = at_;
    while (!eof() && peek() != quote) advance(peek() == '\\' && peek(1) == quote ? 2 : 1);
    if (eof())
      throw ParseError(start, std::string("the string starting here has no closing ") + quote);
    std::string_view raw = text_.substr(from, at_ - from);
    advance();
    return raw;
  }

  // -?[0-9]+(.[0-9]*)?
  std::string_view number_text() {
    size_t start = at_;
    if (peek() == '-') advance();
    if (!is_digit(peek())) fail("a digit after '-'");
    while (is_digit(peek())) advance();
    if (peek() == '.') {
      advance();
      while (is_digit(peek())) advance();
    }
    return text_.substr(start, at_ - start);
  }

 protected:
  std::string_view text_;
  std::string file_;
  size_t at_ = 0;
  int line_ = 1;
  int column_ = 1;
};

/// Reads a condition at the scanner's position and leaves the scanner after it.
Condition read_condition(Scanner& at);

}  // namespace gd2s::logstash::detail
