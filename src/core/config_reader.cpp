#include "core/config_reader.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "core/time.h"

namespace gd2s {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      size_t cost = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                            std::tolower(static_cast<unsigned char>(b[j - 1]))
                        ? 0
                        : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

const char* toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date or time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

}  // namespace

bool is_date(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  return parse_iso8601(text + "T00:00:00Z").has_value();
}

bool is_utc_time(const std::string& text) {
  if (text.size() < 20 || text[10] != 'T' || !text.ends_with('Z')) return false;
  if (text.size() > 20 && text[19] != '.') return false;
  return parse_iso8601(text).has_value();
}

bool is_url(const std::string& text) {
  return text.starts_with("https://") || text.starts_with("http://");
}

bool is_guid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::string to_lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string did_you_mean(std::string_view unknown, std::span<const std::string_view> known) {
  std::string_view best;
  size_t best_distance = std::max<size_t>(2, unknown.size() / 3) + 1;
  for (std::string_view candidate : known) {
    size_t d = edit_distance(unknown, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return std::string(best);
}

std::string ConfigIssue::format(const std::string& file) const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": " + key + ": " + message;
  return out;
}

std::string TableReader::full_key(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

int TableReader::line_of(std::string_view key) const {
  const toml::node* node = table_.get(key);
  return node != nullptr ? static_cast<int>(node->source().begin.line) : 0;
}

void TableReader::issue(std::string_view key, std::string message) {
  issues_.push_back(ConfigIssue{full_key(key), line_of(key), std::move(message)});
}

const toml::node* TableReader::lookup(std::string_view key) {
  if (std::none_of(options_.begin(), options_.end(),
                   [&](const OptionDoc& option) { return option.key == key; }))
    throw std::logic_error("config key " + full_key(key) +
                           " is read but not documented beside its reader (OptionDoc)");
  known_.push_back(key);
  return table_.get(key);
}

void TableReader::read(std::string_view key, std::string& out) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return;
  if (auto value = node->value<std::string>(); value && node->is_string()) {
    out = *value;
  } else {
    issue(key, std::string("must be a string, not ") + toml_type_name(*node));
  }
}

void TableReader::read(std::string_view key, bool& out) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return;
  if (node->is_boolean()) {
    out = node->value<bool>().value_or(out);
  } else {
    issue(key, std::string("must be true or false, not ") + toml_type_name(*node));
  }
}

void TableReader::read(std::string_view key, double& out) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return;
  if (node->is_number()) {
    double value = node->value<double>().value_or(out);
    if (!std::isfinite(value)) {
      issue(key, "must be a finite number, not " + std::string(std::isnan(value) ? "nan" : "inf"));
      return;
    }
    out = value;
  } else {
    issue(key, std::string("must be a number, not ") + toml_type_name(*node));
  }
}

void TableReader::read(std::string_view key, int64_t& out) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return;
  if (node->is_integer()) {
    out = node->value<int64_t>().value_or(out);
  } else {
    issue(key, std::string("must be a whole number, not ") + toml_type_name(*node));
  }
}

void TableReader::read(std::string_view key, std::vector<std::string>& out) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    issue(key, std::string("must be an array of strings, not ") + toml_type_name(*node));
    return;
  }
  std::vector<std::string> values;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& item = *array->get(i);
    if (!item.is_string()) {
      issue(key,
            "item " + std::to_string(i + 1) + " must be a string, not " + toml_type_name(item));
      return;
    }
    values.push_back(*item.value<std::string>());
  }
  out = std::move(values);
}

void TableReader::read(std::string_view key, Duration& out) {
  const toml::node* node = lookup(key);
  if (node == nullptr) return;
  std::optional<Duration> parsed;
  if (node->is_string()) parsed = parse_duration(*node->value<std::string>());
  if (!parsed) {
    issue(key, "must be a duration such as \"30s\", \"5m\", \"1h30m\" or \"7d\", of at most " +
                   format_duration(kMaxDuration));
    return;
  }
  out = *parsed;
}

void TableReader::read_choice(std::string_view key, std::string& out,
                              std::span<const std::string_view> allowed) {
  std::string value = out;
  size_t before = issues_.size();
  read(key, value);
  if (issues_.size() != before) return;
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    std::string list;
    for (std::string_view choice : allowed)
      list += (list.empty() ? "\"" : ", \"") + std::string(choice) + "\"";
    issue(key, "must be one of " + list + ", not \"" + value + "\"");
    return;
  }
  out = value;
}

void TableReader::read_secret(std::string_view key, Secret& out) {
  std::string text;
  size_t before = issues_.size();
  read(key, text);
  if (issues_.size() != before || text.empty()) return;
  SecretRef ref = parse_secret_ref(text);
  if (ref.kind == SecretRef::Kind::kLiteral)
    spdlog::warn(
        "{}: the secret is written in the config file; use \"env:NAME\" or "
        "\"file:/path\" instead",
        full_key(key));
  try {
    out = resolve_secret(ref, text);
  } catch (const SecretError& error) {
    issue(key, error.what());
  }
}

void TableReader::finish() {
  for (const auto& [key, node] : table_) {
    std::string_view name = key.str();
    if (std::find(known_.begin(), known_.end(), name) != known_.end()) continue;
    std::string message = "unknown key";
    std::string suggestion = did_you_mean(name, known_);
    if (!suggestion.empty()) message += "; did you mean \"" + suggestion + "\"?";
    issues_.push_back(
        ConfigIssue{full_key(name), static_cast<int>(key.source().begin.line), std::move(message)});
  }
}

}  // namespace gd2s
