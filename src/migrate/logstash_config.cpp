#include "migrate/logstash_config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace gd2s::logstash {
namespace {

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}
bool is_word_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_word_char(char c) {
  return is_word_start(c) || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// logstash-core's StringEscape.process_escapes: \\ \" \' \n \r \t \0; others stay as written.
std::string process_escapes(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 == raw.size()) {
      out += raw[i];
      continue;
    }
    char next = raw[++i];
    switch (next) {
      case '\\':
      case '"':
      case '\'':
        out += next;
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case '0':
        out += '\0';
        break;
      default:
        out += '\\';
        out += next;
    }
  }
  return out;
}

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

class Parser {
 public:
  Parser(std::string_view text, std::string file, const ParseOptions& options)
      : text_(text), file_(std::move(file)), options_(options) {}

  PipelineConfig parse() {
    PipelineConfig config;
    config.files.push_back(file_);
    skip_cs();
    while (!eof()) {
      config.sections.push_back(section());
      skip_cs();
    }
    return config;
  }

 private:
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

  Section section() {
    Section s;
    s.pos = pos();
    for (std::string_view type : {"input", "filter", "output"})
      if (looking_at_word(type)) s.type = type;
    if (s.type.empty()) fail("'input', 'filter' or 'output'");
    advance(s.type.size());
    skip_cs();
    expect('{', "'{' after '" + s.type + "'");
    s.body = block_body("the " + s.type + " section");
    return s;
  }

  // After a '{': plugins and branches up to the matching '}'.
  std::vector<Node> block_body(const std::string& what) {
    std::vector<Node> body;
    for (;;) {
      skip_cs();
      if (peek() == '}' && !eof()) {
        advance();
        return body;
      }
      if (eof()) fail("'}' to close " + what);
      if (looking_at_word("if")) {
        body.push_back(branch());
      } else if (looking_at_word("else")) {
        throw ParseError(pos(), "'else' without an 'if' before it");
      } else {
        Node node;
        node.plugin = plugin(what);
        body.push_back(std::move(node));
      }
    }
  }

  Node branch() {
    Node node;
    node.kind = Node::Kind::kBranch;
    node.clauses.push_back(clause(true));
    for (;;) {
      Mark before = mark();
      skip_cs();
      if (!looking_at_word("else")) {
        reset(before);
        return node;
      }
      Mark else_mark = mark();
      advance(4);
      skip_cs();
      if (looking_at_word("if")) {
        reset(else_mark);
        node.clauses.push_back(clause(true));
      } else {
        reset(else_mark);
        node.clauses.push_back(clause(false));
        return node;
      }
    }
  }

  // `if COND { … }`, `else if COND { … }` or `else { … }`, at its first word.
  Clause clause(bool with_condition) {
    Clause c;
    c.pos = pos();
    if (looking_at_word("else")) {
      advance(4);
      skip_cs();
    }
    std::string keyword = with_condition ? "if" : "else";
    if (with_condition) {
      advance(2);
      skip_cs();
      c.condition = condition();
      skip_cs();
      expect('{',
             "an operator (==, !=, <, >, <=, >=, =~, !~, in, not in, and, or, xor, nand) or '{' "
             "after the condition");
    } else {
      expect('{', "'{' or 'if' after 'else'");
    }
    c.body = block_body("the '" + keyword + "' block");
    return c;
  }

  std::string name_or_string(const std::string& what) {
    if (peek() == '"' || peek() == '\'') return string_value().text;
    size_t start = at_;
    while (!eof() && is_name_char(peek())) advance();
    if (at_ == start) fail(what);
    return std::string(text_.substr(start, at_ - start));
  }

  Plugin plugin(const std::string& where) {
    Plugin p;
    p.pos = pos();
    p.name = name_or_string("a plugin name, 'if' or '}' in " + where);
    skip_cs();
    expect('{', "'{' after the plugin name '" + p.name + "'");
    p.settings = settings_until_brace("plugin '" + p.name + "'");
    return p;
  }

  // `name => value` settings, separated by whitespace, up to and including the '}'.
  std::vector<Setting> settings_until_brace(const std::string& owner) {
    std::vector<Setting> settings;
    bool separated = true;
    for (;;) {
      separated = skip_cs() || separated;
      if (peek() == '}' && !eof()) {
        advance();
        return settings;
      }
      if (eof()) fail("'}' to close " + owner);
      if (!separated) fail("whitespace or '}' after the value of '" + settings.back().name + "'");
      if (!is_name_char(peek()) && peek() != '"' && peek() != '\'')
        fail("a setting name or '}' in " + owner);
      Setting s;
      s.pos = pos();
      s.name = name_or_string("a setting name or '}' in " + owner);
      skip_cs();
      if (!looking_at("=>")) fail("'=>' after the setting name '" + s.name + "'");
      advance(2);
      skip_cs();
      s.value = value("after '" + s.name + " =>'");
      settings.push_back(std::move(s));
      separated = false;
    }
  }

  Value value(const std::string& context) {
    Value v;
    v.pos = pos();
    char c = peek();
    if (eof()) fail("a value " + context);
    if (c == '"' || c == '\'') return string_value();
    if (c == '[') return array();
    if (c == '{') return hash();
    if (is_name_char(c)) {
      // A plugin as a value (`codec => json { … }`) comes first in the grammar.
      Mark start = mark();
      while (!eof() && is_name_char(peek())) advance();
      std::string name(text_.substr(start.at, at_ - start.at));
      skip_cs();
      if (peek() == '{') {
        advance();
        v.kind = Value::Kind::kPlugin;
        v.text = name;
        v.settings = settings_until_brace("plugin '" + name + "'");
        return v;
      }
      reset(start);
      if (is_digit(c) || c == '-') return number();
      if (is_word_start(c) && is_word_char(peek(1))) return bareword();
    }
    fail("a value (a string, number, bareword, array or hash) " + context);
  }

  Value string_value() {
    Value v;
    v.pos = pos();
    char quote = peek();
    advance();
    size_t start = at_;
    while (!eof() && peek() != quote) advance(peek() == '\\' && peek(1) == quote ? 2 : 1);
    if (eof())
      throw ParseError(v.pos, std::string("the string starting here has no closing ") + quote);
    std::string_view raw = text_.substr(start, at_ - start);
    advance();
    v.text = options_.support_escapes ? process_escapes(raw) : std::string(raw);
    v.references = env_references(v.text);
    return v;
  }

  Value number() {
    Value v;
    v.kind = Value::Kind::kNumber;
    v.pos = pos();
    size_t start = at_;
    if (peek() == '-') advance();
    if (!is_digit(peek())) fail("a digit after '-'");
    while (is_digit(peek())) advance();
    if (peek() == '.') {
      advance();
      while (is_digit(peek())) advance();
    }
    v.text = std::string(text_.substr(start, at_ - start));
    return v;
  }

  Value bareword() {
    Value v;
    v.kind = Value::Kind::kBareword;
    v.pos = pos();
    size_t start = at_;
    while (is_word_char(peek())) advance();
    v.text = std::string(text_.substr(start, at_ - start));
    v.references = env_references(v.text);
    return v;
  }

  Value array() {
    Value v;
    v.kind = Value::Kind::kArray;
    v.pos = pos();
    advance();
    skip_cs();
    if (peek() == ']') {
      advance();
      return v;
    }
    for (;;) {
      v.items.push_back(value("in the array"));
      skip_cs();
      if (peek() == ']') {
        advance();
        return v;
      }
      expect(',', "',' or ']' in the array");
      skip_cs();
    }
  }

  Value hash() {
    Value v;
    v.kind = Value::Kind::kHash;
    v.pos = pos();
    advance();
    bool separated = true;
    for (;;) {
      separated = skip_cs() || separated;
      if (peek() == '}' && !eof()) {
        advance();
        return v;
      }
      if (eof()) fail("'}' to close the hash");
      if (!separated) fail("whitespace or '}' after the value of '" + v.entries.back().key + "'");
      HashEntry entry;
      entry.pos = pos();
      char c = peek();
      if (c == '"' || c == '\'')
        entry.key = string_value().text;
      else if (is_digit(c) || c == '-')
        entry.key = number().text;
      else if (is_word_start(c) && is_word_char(peek(1)))
        entry.key = bareword().text;
      else
        fail("a hash key or '}'");
      skip_cs();
      if (!looking_at("=>")) fail("'=>' after the hash key '" + entry.key + "'");
      advance(2);
      skip_cs();
      entry.value = value("after '" + entry.key + " =>'");
      v.entries.push_back(std::move(entry));
      separated = false;
    }
  }

  // --- conditions: checked against the grammar, kept as text -----------------------------

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
        string_value();
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
      string_value();
    } else if (is_digit(c) || (c == '-' && is_digit(peek(1)))) {
      number();
    } else if (c == '[') {
      if (!selector()) array();
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

  std::string_view text_;
  std::string file_;
  ParseOptions options_;
  size_t at_ = 0;
  int line_ = 1;
  int column_ = 1;
};

void collect(const std::vector<Node>& body, std::vector<std::string>& conditions,
             std::vector<PluginPlacement>& out) {
  for (const Node& node : body) {
    if (node.kind == Node::Kind::kPlugin) {
      out.push_back(PluginPlacement{&node.plugin, conditions});
      continue;
    }
    std::string first;
    for (const Clause& clause : node.clauses) {
      std::string text;
      if (first.empty()) {
        first = "if " + clause.condition->text;
        text = first;
      } else if (clause.condition) {
        text = "else if " + clause.condition->text + " (after " + first + ")";
      } else {
        text = "else (after " + first + ")";
      }
      conditions.push_back(text + " at line " + std::to_string(clause.pos.line));
      collect(clause.body, conditions, out);
      conditions.pop_back();
    }
  }
}

}  // namespace

const Setting* Plugin::find(std::string_view setting) const {
  const Setting* found = nullptr;
  for (const Setting& s : settings)
    if (s.name == setting) found = &s;
  return found;
}

std::vector<PluginPlacement> plugins_of(const PipelineConfig& config, std::string_view type) {
  std::vector<PluginPlacement> out;
  for (const Section& section : config.sections) {
    if (section.type != type) continue;
    std::vector<std::string> conditions;
    collect(section.body, conditions, out);
  }
  return out;
}

std::vector<EnvReference> env_references(std::string_view text) {
  // Logstash's pattern: \$\{(?<name>[a-zA-Z_.][a-zA-Z0-9_.]*)(:(?<default>[^}]*))?\}
  std::vector<EnvReference> refs;
  for (size_t at = text.find("${"); at != std::string_view::npos; at = text.find("${", at + 1)) {
    size_t i = at + 2;
    auto name_char = [](char c, bool first) {
      return is_word_start(c) || c == '.' || (!first && is_digit(c));
    };
    if (i >= text.size() || !name_char(text[i], true)) continue;
    size_t name_start = i;
    while (i < text.size() && name_char(text[i], false)) ++i;
    EnvReference ref{std::string(text.substr(name_start, i - name_start)), std::nullopt};
    if (i < text.size() && text[i] == ':') {
      size_t close = text.find('}', i + 1);
      if (close == std::string_view::npos) continue;
      ref.fallback = std::string(text.substr(i + 1, close - i - 1));
      i = close;
    }
    if (i >= text.size() || text[i] != '}') continue;
    refs.push_back(std::move(ref));
  }
  return refs;
}

PipelineConfig parse_pipeline(std::string_view text, const std::string& file,
                              const ParseOptions& options) {
  return Parser(text, file, options).parse();
}

PipelineConfig load_pipeline(const std::string& path, const ParseOptions& options) {
  namespace fs = std::filesystem;
  std::error_code error;
  std::vector<std::string> files;
  if (fs::is_directory(path, error)) {
    for (const auto& entry : fs::directory_iterator(path, error))
      if (entry.is_regular_file()) files.push_back(entry.path().string());
    if (error) throw std::runtime_error(path + ": cannot list the folder: " + error.message());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw std::runtime_error(path + ": the folder holds no files");
  } else {
    files.push_back(path);
  }
  PipelineConfig merged;
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file + ": cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    PipelineConfig one = parse_pipeline(text.str(), file, options);
    merged.files.push_back(file);
    for (Section& section : one.sections) merged.sections.push_back(std::move(section));
  }
  return merged;
}

}  // namespace gd2s::logstash
