// docs/configuration.md is the one place every option is documented; the readers keep their
// options beside them (OptionDoc). This holds the two to each other, table by table, key by key:
// the same keys, types and defaults, in the same order.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "app/config.h"

namespace gd2s {
namespace {

struct DocRow {
  std::string key, type, fallback;
  bool operator==(const DocRow&) const = default;
};

std::ostream& operator<<(std::ostream& out, const DocRow& row) {
  return out << row.key << " | " << row.type << " | " << row.fallback;
}

// Cells of a Markdown table row; a `|` inside backticks belongs to its cell.
std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool code = false;
  for (size_t i = 1; i < line.size(); ++i) {
    char c = line[i];
    if (c == '`') code = !code;
    if (c == '|' && !code) {
      size_t first = cell.find_first_not_of(' '), last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
      cell.clear();
    } else {
      cell += c;
    }
  }
  return cells;
}

// "## `[source.sqs]`" → its "| key | type | default | meaning |" table.
std::map<std::string, std::vector<DocRow>> documented_on_page() {
  std::ifstream in(std::string(GD2S_SOURCE_DIR) + "/docs/configuration.md");
  std::map<std::string, std::vector<DocRow>> tables;
  std::regex heading(R"(^## `\[([a-z0-9_.]+)\]`)");
  std::string line, table;
  bool in_options = false;
  while (std::getline(in, line)) {
    std::smatch match;
    if (std::regex_search(line, match, heading)) {
      table = match[1];
      in_options = false;
    } else if (!table.empty() && line.starts_with("| key | type | default |")) {
      in_options = true;
      tables[table];
    } else if (in_options && line.starts_with("|---")) {
      continue;
    } else if (in_options && line.starts_with("| `")) {
      std::vector<std::string> cells = cells_of(line);
      EXPECT_GE(cells.size(), 4u) << line;
      if (cells.size() < 3) continue;
      std::string key = cells[0].substr(1, cells[0].size() - 2);  // `key`
      tables[table].push_back({key, cells[1], cells[2]});
    } else {
      in_options = false;
    }
  }
  return tables;
}

TEST(ConfigurationDoc, EveryTableAndOptionOfTheCodeIsOnThePageWithItsTypeAndDefault) {
  std::map<std::string, std::vector<DocRow>> page = documented_on_page();
  ASSERT_FALSE(page.empty()) << "docs/configuration.md not found or without option tables";
  std::map<std::string, std::vector<DocRow>> code;
  for (const TableDoc& table : documented_tables()) {
    for (const OptionDoc& option : table.options)
      code[table.table].push_back(
          {std::string(option.key), std::string(option.type), std::string(option.fallback)});
  }
  for (const auto& [table, rows] : code) {
    ASSERT_TRUE(page.contains(table)) << "[" << table << "] has no option table on the page";
    EXPECT_EQ(page[table], rows) << "[" << table << "]: the page and the code disagree";
  }
  for (const auto& [table, rows] : page)
    EXPECT_TRUE(code.contains(table))
        << "the page documents [" << table << "], which no component reads";
}

TEST(ConfigurationDoc, ReadingAKeyThatIsNotDocumentedIsAProgrammingError) {
  toml::table table = toml::parse("listen = \"127.0.0.1:1\"");
  std::vector<ConfigIssue> issues;
  constexpr OptionDoc kOptions[] = {{"listen", "string", "`\"\"`"}};
  TableReader reader(table, "metrics", kOptions, issues);
  std::string listen;
  reader.read("listen", listen);
  EXPECT_EQ(listen, "127.0.0.1:1");
  std::string other;
  EXPECT_THROW(reader.read("undocumented", other), std::logic_error);
}

}  // namespace
}  // namespace gd2s
