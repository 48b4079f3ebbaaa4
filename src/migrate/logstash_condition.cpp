// Conditions of `if` and `else if`, checked against the expression rules of Logstash's grammar
// (condition, expression, rvalue, selector, method_call, regexp) and kept as text.

#include <algorithm>

#include "migrate/logstash_scanner.h"

namespace gd2s::logstash::detail {
namespace {

// A condition's text with comments dropped and whitespace runs folded, strings and regular
// expressions kept as written.
std::string fold_condition(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"' || c == '\'' || c == '/') {
      size_t end = i + 1;
      while (end < text.size() && text[end] != c) end += text[end] == '\\' ? 2 : 1;
      end = std::min(end, text.size() - 1);
      out.append(text.substr(i, end - i + 1));
      i = end;
    } else if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

class ConditionReader : public Scanner {
 public:
  explicit ConditionReader(const Scanner& at) : Scanner(at) {}

  Condition condition() {
    Condition c;
    c.pos = pos();
    size_t start = at_;
    expression();
    for (;;) {
      Mark before = mark();
      skip_cs();
      std::string_view op;
      for (std::string_view candidate : {"and", "or", "xor", "nand"})
        if (looking_at_word(candidate)) op = candidate;
      if (op.empty()) {
        reset(before);
        break;
      }
      advance(op.size());
      skip_cs();
      expression();
    }
    c.text = fold_condition(text_.substr(start, at_ - start));
    return c;
  }

  void expression() {
    if (peek() == '(') {
      parenthesised();
      return;
    }
    if (peek() == '!' && peek(1) != '=' && peek(1) != '~') {
      advance();
      skip_cs();
      if (peek() == '(') {
        parenthesised();
      } else if (peek() == '[' && selector()) {
      } else {
        fail("'(' or a field reference such as [field] after '!'");
      }
      return;
    }
    rvalue();
    Mark before = mark();
    skip_cs();
    if (looking_at_word("in")) {
      advance(2);
      skip_cs();
      rvalue();
    } else if (looking_at("not") && is_space(peek(3))) {
      advance(3);
      skip_cs();
      if (!looking_at_word("in")) fail("'in' after 'not'");
      advance(2);
      skip_cs();
      rvalue();
    } else if (looking_at("=~") || looking_at("!~")) {
      advance(2);
      skip_cs();
      if (peek() == '"' || peek() == '\'')
        quoted();
      else if (peek() == '/')
        regexp();
      else
        fail("a regular expression (/…/ or a string) after the match operator");
    } else if (looking_at("==") || looking_at("!=") || looking_at("<=") || looking_at(">=")) {
      advance(2);
      skip_cs();
      rvalue();
    } else if (peek() == '<' || peek() == '>') {
      advance();
      skip_cs();
      rvalue();
    } else {
      reset(before);
    }
  }

  void parenthesised() {
    advance();
    skip_cs();
    condition();
    skip_cs();
    expect(')', "')' or an operator in the condition");
  }

  // string / number / selector / array / method_call / regexp
  void rvalue() {
    char c = peek();
    if (c == '"' || c == '\'') {
      quoted();
    } else if (is_digit(c) || (c == '-' && is_digit(peek(1)))) {
      number_text();
    } else if (c == '[') {
      if (!selector()) list();
    } else if (c == '/') {
      regexp();
    } else if (is_word_start(c) && is_word_char(peek(1))) {
      method_call();
    } else {
      fail(
          "a field reference such as [field], a string, a number, a list, a regular "
          "expression or '(' in the condition");
    }
  }

  // A list such as ["a", "b"]: strings, numbers, bare words and lists.
  void list() {
    advance();
    skip_cs();
    if (peek() == ']') {
      advance();
      return;
    }
    for (;;) {
      char c = peek();
      if (c == '"' || c == '\'') {
        quoted();
      } else if (is_digit(c) || c == '-') {
        number_text();
      } else if (c == '[') {
        list();
      } else if (is_word_start(c) && is_word_char(peek(1))) {
        while (is_word_char(peek())) advance();
      } else {
        fail("a string, number or list in the list");
      }
      skip_cs();
      if (peek() == ']') {
        advance();
        return;
      }
      expect(',', "',' or ']' in the array");
      skip_cs();
    }
  }

  // ("[" [^\][,]+ "]")+ ; false, having consumed nothing, when it is not one.
  bool selector() {
    Mark start = mark();
    int elements = 0;
    while (peek() == '[') {
      Mark element = mark();
      advance();
      size_t inner = at_;
      while (!eof() && peek() != '[' && peek() != ']' && peek() != ',') advance();
      if (at_ == inner || peek() != ']') {
        reset(element);
        break;
      }
      advance();
      ++elements;
    }
    if (elements == 0) reset(start);
    return elements > 0;
  }

  void regexp() {
    SourcePos start = pos();
    advance();
    while (!eof() && peek() != '/') advance(peek() == '\\' && peek(1) == '/' ? 2 : 1);
    if (eof()) throw ParseError(start, "the regular expression starting here has no closing /");
    advance();
  }

  void method_call() {
    while (is_word_char(peek())) advance();
    skip_cs();
    expect('(', "'(' after a function name (a bare word is not a value in a condition)");
    skip_cs();
    if (peek() == ')') {
      advance();
      return;
    }
    for (;;) {
      rvalue();
      skip_cs();
      if (peek() == ')') {
        advance();
        return;
      }
      expect(',', "',' or ')' in the function's arguments");
      skip_cs();
    }
  }
};

}  // namespace

Condition read_condition(Scanner& at) {
  ConditionReader reader(at);
  Condition condition = reader.condition();
  at = reader;
  return condition;
}

}  // namespace gd2s::logstash::detail
