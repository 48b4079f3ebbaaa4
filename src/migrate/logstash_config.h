#pragma once
// Logstash's pipeline configuration language, read as Logstash's own grammar reads it
// (logstash-core lib/logstash/compiler/lscl/lscl_grammar.treetop): `input`, `filter` and
// `output` sections of plugins `name { setting => value … }`, with `if … else if … else`
// branches whose conditions follow the grammar's expression rules. Every node keeps its file,
// line and column, so what is reported about a setting points at it. `${VAR}` and
// `${VAR:default}` in values are recorded, not resolved.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gd2s::logstash {

struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
  /// "pipeline.conf:12"
  std::string where() const { return file + ":" + std::to_string(line); }
};

/// `${NAME}` or `${NAME:default}` inside a value: Logstash resolves it from the keystore or the
/// environment when the pipeline starts.
struct EnvReference {
  std::string name;
  std::optional<std::string> fallback;
};

struct Setting;
struct HashEntry;

struct Value {
  enum class Kind { kString, kBareword, kNumber, kArray, kHash, kPlugin };
  Kind kind = Kind::kString;
  /// String: its text (escapes processed only with support_escapes); bareword and number: as
  /// written; plugin (`codec => json { … }`): the plugin's name.
  std::string text;
  std::vector<Value> items;              // kArray
  std::vector<HashEntry> entries;        // kHash
  std::vector<Setting> settings;         // kPlugin
  std::vector<EnvReference> references;  // in text, for strings and barewords
  SourcePos pos;

  bool is_scalar() const {
    return kind == Kind::kString || kind == Kind::kBareword || kind == Kind::kNumber;
  }
};

struct HashEntry {
  std::string key;
  Value value;
  SourcePos pos;
};

struct Setting {
  std::string name;
  Value value;
  SourcePos pos;
};

struct Plugin {
  std::string name;
  std::vector<Setting> settings;
  SourcePos pos;
  /// The setting of that name (the last, as Logstash takes it), or null.
  const Setting* find(std::string_view setting) const;
};

/// A condition as written (whitespace runs folded to one space), checked against the grammar.
struct Condition {
  std::string text;
  SourcePos pos;
};

struct Node;

/// One arm of a branch: `if COND { … }`, `else if COND { … }` or `else { … }`.
struct Clause {
  std::optional<Condition> condition;  // none for `else`
  std::vector<Node> body;
  SourcePos pos;
};

/// A plugin, or a branch of clauses.
struct Node {
  enum class Kind { kPlugin, kBranch };
  Kind kind = Kind::kPlugin;
  Plugin plugin;
  std::vector<Clause> clauses;
};

struct Section {
  std::string type;  // input | filter | output
  std::vector<Node> body;
  SourcePos pos;
};

struct PipelineConfig {
  std::vector<std::string> files;  // in the order they were read
  std::vector<Section> sections;
};

/// A plugin with the conditions it sits under, outermost first, each as a person reads it:
/// `if [type] == "guardduty"`, `else if [x] (after if [y])`, `else (after if [y])`.
struct PluginPlacement {
  const Plugin* plugin = nullptr;
  std::vector<std::string> conditions;
};

/// Every plugin of every section of `type`, in file order, branches included.
std::vector<PluginPlacement> plugins_of(const PipelineConfig& config, std::string_view type);

/// FILE:LINE:COL: what was expected, and what was found instead.
class ParseError : public std::runtime_error {
 public:
  ParseError(SourcePos pos, const std::string& message)
      : std::runtime_error(pos.file + ":" + std::to_string(pos.line) + ":" +
                           std::to_string(pos.column) + ": " + message),
        pos_(std::move(pos)) {}
  const SourcePos& pos() const { return pos_; }

 private:
  SourcePos pos_;
};

struct ParseOptions {
  /// As logstash.yml's `config.support_escapes: true`: \\ \" \' \n \r \t \0 in strings.
  bool support_escapes = false;
};

/// Parses one file's text (`file` names it in positions and errors).
PipelineConfig parse_pipeline(std::string_view text, const std::string& file,
                              const ParseOptions& options = {});

/// Reads a file, or every regular file of a folder in name order (as Logstash concatenates
/// them for `path.config`), and merges their sections. Throws ParseError, or
/// std::runtime_error when nothing can be read.
PipelineConfig load_pipeline(const std::string& path, const ParseOptions& options = {});

/// The `${NAME}` / `${NAME:default}` references in `text`.
std::vector<EnvReference> env_references(std::string_view text);

}  // namespace gd2s::logstash
