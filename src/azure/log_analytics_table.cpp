#include "azure/log_analytics_table.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

#include "core/json_writer.h"

namespace gd2s::azure {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// GUID columns are stored and queried as strings (REFERENCE §9.3).
std::string comparable_type(std::string_view type) {
  std::string t = lower(type);
  return t == "guid" ? "string" : t;
}

}  // namespace

std::string table_resource_id(std::string_view workspace_id, std::string_view table) {
  std::string id(workspace_id);
  while (id.ends_with('/')) id.pop_back();
  return id + "/tables/" + std::string(table);
}

LogAnalyticsTable parse_table(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::element schema;
  if (parser.parse(json.data(), json.size()).get(root) || root["properties"]["schema"].get(schema))
    throw std::runtime_error("the table's description has no properties.schema");
  LogAnalyticsTable table;
  std::string_view text;
  if (!schema["name"].get(text)) table.name = std::string(text);
  if (!schema["tableSubType"].get(text)) table.sub_type = std::string(text);
  simdjson::dom::array columns;
  if (!schema["columns"].get(columns)) {
    for (simdjson::dom::element column : columns) {
      std::string_view name, type;
      if (column["name"].get(name) || column["type"].get(type)) continue;
      if (name == "TimeGenerated") continue;
      table.columns.push_back({std::string(name), lower(type)});
    }
  }
  return table;
}

std::optional<LogAnalyticsTable> read_table(ResourceManager& arm, std::string_view workspace_id,
                                            std::string_view table) {
  try {
    return parse_table(
        arm.call("GET", table_resource_id(workspace_id, table), std::string(kTablesApiVersion)));
  } catch (const ArmError& error) {
    if (error.status() == 404 && error.code() == "ResourceNotFound") return std::nullopt;
    throw;
  }
}

void migrate_table(ResourceManager& arm, std::string_view workspace_id, std::string_view table) {
  arm.call("POST", table_resource_id(workspace_id, table) + "/migrate",
           std::string(kTablesApiVersion), "");
}

LogAnalyticsTable add_columns(ResourceManager& arm, std::string_view workspace_id,
                              const LogAnalyticsTable& table,
                              const std::vector<TableColumn>& added) {
  std::string body;
  StringSink sink(body);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "properties");
  w.StartObject();
  write_key(w, "schema");
  w.StartObject();
  write_key(w, "name");
  write_string(w, table.name);
  write_key(w, "columns");
  w.StartArray();
  auto write_column = [&](const TableColumn& column) {
    w.StartObject();
    write_key(w, "name");
    write_string(w, column.name);
    write_key(w, "type");
    write_string(w, column.type);
    w.EndObject();
  };
  for (const TableColumn& column : table.columns) write_column(column);
  for (const TableColumn& column : added) write_column(column);
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return parse_table(arm.call("PUT", table_resource_id(workspace_id, table.name),
                              std::string(kTablesApiVersion), body));
}

ColumnGap column_gap(const LogAnalyticsTable& table, const std::vector<TableColumn>& wanted) {
  std::map<std::string, std::string> have;
  for (const TableColumn& column : table.columns) have[column.name] = column.type;
  ColumnGap gap;
  for (const TableColumn& column : wanted) {
    if (column.name == "TimeGenerated") continue;
    auto it = have.find(column.name);
    if (it == have.end())
      gap.missing.push_back(column);
    else if (comparable_type(it->second) != comparable_type(column.type))
      gap.conflicts.push_back(column.name + " is " + it->second + " in the table, the rows send " +
                              column.type);
  }
  return gap;
}

std::string rule_workspace(std::string_view rule_json) {
  simdjson::dom::parser parser;
  simdjson::dom::element rule;
  simdjson::dom::array destinations;
  if (parser.parse(rule_json.data(), rule_json.size()).get(rule) ||
      rule["properties"]["destinations"]["logAnalytics"].get(destinations))
    return "";
  for (simdjson::dom::element destination : destinations) {
    std::string_view id;
    if (!destination["workspaceResourceId"].get(id)) return std::string(id);
  }
  return "";
}

}  // namespace gd2s::azure
