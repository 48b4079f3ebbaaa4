#include "migrate/logstash_config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "migrate/logstash_scanner.h"

namespace gd2s::logstash {
namespace {

using detail::is_digit;
using detail::is_name_char;
using detail::is_word_char;
using detail::is_word_start;
using detail::read_condition;
using detail::Scanner;

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

class Parser : private Scanner {
 public:
  Parser(std::string_view text, std::string file, const ParseOptions& options)
      : Scanner(text, std::move(file)), options_(options) {}

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
      c.condition = read_condition(*this);
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
    std::string_view raw = quoted();
    v.text = options_.support_escapes ? process_escapes(raw) : std::string(raw);
    v.references = env_references(v.text);
    return v;
  }

  Value number() {
    Value v;
    v.kind = Value::Kind::kNumber;
    v.pos = pos();
    v.text = std::string(number_text());
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

  ParseOptions options_;
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
