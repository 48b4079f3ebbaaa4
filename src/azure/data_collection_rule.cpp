#include "azure/data_collection_rule.h"

#include <simdjson.h>

#include <map>

#include "core/config_reader.h"

namespace gd2s::azure {
namespace {
constexpr const char* kRuleApiVersion = "2023-03-11";
}  // namespace

std::string read_data_collection_rule(ResourceManager& arm, const std::string& rule_id) {
  return arm.call("GET", rule_id, kRuleApiVersion);
}

std::optional<std::vector<TableColumn>> declared_columns(std::string_view rule_json,
                                                         const std::string& stream) {
  simdjson::dom::parser parser;
  simdjson::dom::element rule;
  simdjson::dom::array columns;
  if (parser.parse(simdjson::padded_string(rule_json)).get(rule) ||
      rule["properties"]["streamDeclarations"][stream]["columns"].get(columns))
    return std::nullopt;
  std::vector<TableColumn> out;
  for (simdjson::dom::element column : columns) {
    std::string_view name, type;
    if (!column["name"].get(name) && !column["type"].get(type))
      out.push_back({std::string(name), to_lower(std::string(type))});
  }
  return out;
}

std::vector<std::string> declaration_gaps(const std::vector<TableColumn>& declared,
                                          const std::vector<TableColumn>& wanted) {
  std::map<std::string, std::string> types;
  for (const TableColumn& column : declared) types[column.name] = to_lower(column.type);
  std::vector<std::string> out;
  for (const TableColumn& column : wanted) {
    auto it = types.find(column.name);
    if (it == types.end())
      out.push_back(column.name + " is not declared");
    else if (it->second != column.type)
      out.push_back(column.name + " is declared " + it->second + ", the schema sends " +
                    column.type);
  }
  return out;
}

}  // namespace gd2s::azure
