// The "dcrs" part of the configuration: the rule's ARM identity (resource id,
// location, readers), stream declarations (inline or from a gd2sentinel schema
// document), data flows and rate limits.
#include <algorithm>
#include <cctype>

#include "column_types.h"
#include "config.h"
#include "config_parse.h"
#include "json_util.h"

namespace wsemu {
namespace {

/// The Log Analytics destination a data flow names when the configuration names none
/// (the name Microsoft's DCR examples use).
constexpr const char* kDefaultDestination = "LogAnalyticsDest";

bool resource_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == '(' || c == ')';
}

bool valid_resource_name(std::string_view name, std::size_t max_size) {
  return !name.empty() && name.size() <= max_size && name.back() != '.' &&
         std::all_of(name.begin(), name.end(), resource_name_char);
}

}  // namespace

namespace config_detail {

std::vector<StoredColumn> parse_columns(const Value& columns, const std::string& where) {
  if (!columns.IsArray()) fail(where, "\"columns\" must be an array");
  std::vector<StoredColumn> out;
  for (const auto& c : columns.GetArray()) {
    const std::string name = required_string(c, "name", where + " column");
    const std::string type_name = required_string(c, "type", where + " column " + name);
    const auto type = parse_column_type(type_name);
    if (!type) fail(where, "column " + name + " has unknown type '" + type_name + "'");
    for (const char ch : name) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') {
        fail(where, "column name '" + name + "' may hold only letters, digits and '_'");
      }
    }
    out.push_back({name, *type});
  }
  return out;
}

DataCollectionRule parse_dcr(const Value& v, const std::string& base_dir, const std::string& where) {
  check_keys(v,
             {"immutable_id", "resource_id", "location", "workspace_resource_id", "tenant",
              "publishers", "readers", "stream_declarations", "data_flows", "rate_limits"},
             where);
  DataCollectionRule dcr;
  dcr.immutable_id = required_string(v, "immutable_id", where);
  const std::string here = where + " (" + dcr.immutable_id + ")";
  dcr.resource_id =
      string_member(v, "resource_id")
          .value_or(
              "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/emulator/"
              "providers/Microsoft.Insights/dataCollectionRules/" +
              dcr.immutable_id);
  std::string why;
  auto resource = parse_dcr_resource_id(dcr.resource_id, true, &why);
  if (!resource) fail(here, "\"resource_id\" " + why);
  dcr.resource = std::move(*resource);
  dcr.location = string_member(v, "location").value_or("eastus");
  if (dcr.location.empty()) fail(here, "\"location\" must not be empty");
  dcr.workspace_resource_id =
      string_member(v, "workspace_resource_id")
          .value_or("/subscriptions/" + dcr.resource.subscription + "/resourceGroups/" +
                    dcr.resource.resource_group +
                    "/providers/Microsoft.OperationalInsights/workspaces/emulator");
  dcr.tenant_id = string_member(v, "tenant");
  dcr.publishers = string_list(v, "publishers", here);
  if (v.HasMember("readers")) dcr.readers = string_list(v, "readers", here);
  std::map<std::string, std::string> default_tables;
  auto streams = v.FindMember("stream_declarations");
  if (streams == v.MemberEnd() || !streams->value.IsObject()) fail(here, "needs \"stream_declarations\"");
  for (const auto& s : streams->value.GetObject()) {
    StreamDeclaration decl;
    decl.name = s.name.GetString();
    const std::string swhere = here + " stream " + decl.name;
    if (decl.name.rfind("Custom-", 0) != 0) fail(swhere, "stream names must begin with Custom-");
    check_keys(s.value, {"columns", "columns_from"}, swhere);
    if (auto from = string_member(s.value, "columns_from")) {
      const std::string path = resolve(base_dir, *from);
      std::string table;
      try {
        decl.columns = columns_of_schema(read_config_file(path, swhere), &table);
      } catch (const ConfigError& e) {
        fail(swhere, std::string(e.what()));
      }
      if (!table.empty()) default_tables[decl.name] = table;
    } else if (s.value.HasMember("columns")) {
      decl.columns = parse_columns(s.value["columns"], swhere);
    } else {
      fail(swhere, "needs \"columns\" or \"columns_from\"");
    }
    dcr.streams.emplace(decl.name, std::move(decl));
  }
  if (auto flows = v.FindMember("data_flows"); flows != v.MemberEnd()) {
    if (!flows->value.IsArray()) fail(here, "\"data_flows\" must be an array");
    for (const auto& f : flows->value.GetArray()) {
      check_keys(f, {"streams", "output_stream", "outputStream", "transform_kql", "transformKql", "destinations"},
                 here + " data flow");
      DataFlow flow;
      flow.streams = string_list(f, "streams", here + " data flow");
      flow.output_stream = string_member(f, "output_stream").value_or(string_member(f, "outputStream").value_or(""));
      const auto transform =
          string_member(f, "transform_kql").value_or(string_member(f, "transformKql").value_or("source"));
      if (transform != "source") {
        fail(here, "only the pass-through transform \"source\" is supported (got \"" + transform + "\")");
      }
      if (flow.streams.empty() || flow.output_stream.empty()) {
        fail(here, "a data flow needs \"streams\" and \"output_stream\"");
      }
      for (const auto& stream : flow.streams) {
        if (!dcr.streams.count(stream)) fail(here, "data flow names undeclared stream " + stream);
      }
      flow.table = table_of_output_stream(flow.output_stream);
      flow.destinations = string_list(f, "destinations", here + " data flow");
      if (flow.destinations.empty()) flow.destinations = {kDefaultDestination};
      dcr.data_flows.push_back(std::move(flow));
    }
  } else {
    for (const auto& [stream, table] : default_tables) {
      const std::string output = (table.size() > 3 && table.substr(table.size() - 3) == "_CL" ? "Custom-" : "Microsoft-") + table;
      dcr.data_flows.push_back({{stream}, output, table, {kDefaultDestination}});
    }
  }
  for (const auto& [name, decl] : dcr.streams) {
    bool flows = false;
    for (const auto& f : dcr.data_flows) flows = flows || std::count(f.streams.begin(), f.streams.end(), name);
    if (!flows) fail(here, "stream " + name + " has no data flow (add \"data_flows\")");
  }
  if (auto limits = v.FindMember("rate_limits"); limits != v.MemberEnd()) {
    check_keys(limits->value, {"requests_per_minute", "bytes_per_minute"}, here + " rate_limits");
    dcr.rate_limits.requests_per_minute = int_member(limits->value, "requests_per_minute").value_or(0);
    dcr.rate_limits.bytes_per_minute = int_member(limits->value, "bytes_per_minute").value_or(0);
  }
  return dcr;
}

}  // namespace config_detail

std::string table_of_output_stream(const std::string& output_stream) {
  for (const std::string prefix : {"Microsoft-", "Custom-"}) {
    if (output_stream.rfind(prefix, 0) == 0) return output_stream.substr(prefix.size());
  }
  return output_stream;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

namespace {

/// Splits /subscriptions/{s}/resourceGroups/{g}/providers/{provider}/{type}/{name}, the fixed
/// segments in any case.
std::optional<DcrResourceId> parse_resource_id(std::string_view id, std::string_view provider,
                                               std::string_view type, std::string_view kind,
                                               bool validate, std::string* why) {
  auto fail_with = [&](const std::string& reason) -> std::optional<DcrResourceId> {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  };
  const std::string shape = "/subscriptions/{subscription}/resourceGroups/{group}/providers/" +
                            std::string(provider) + "/" + std::string(type) + "/{name}";
  std::vector<std::string_view> segments;
  if (id.empty() || id.front() != '/') return fail_with("must have the form " + shape);
  for (std::size_t start = 1; start <= id.size();) {
    const auto slash = id.find('/', start);
    segments.push_back(
        id.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  const bool shaped = segments.size() == 8 && iequals(segments[0], "subscriptions") &&
                      iequals(segments[2], "resourceGroups") && iequals(segments[4], "providers") &&
                      iequals(segments[5], provider) && iequals(segments[6], type) &&
                      !segments[1].empty() && !segments[3].empty() && !segments[7].empty();
  if (!shaped) return fail_with("must have the form " + shape);
  DcrResourceId out{std::string(segments[1]), std::string(segments[3]), std::string(segments[7])};
  if (validate) {
    if (!is_guid(out.subscription) || out.subscription.front() == '{') {
      return fail_with("names subscription '" + out.subscription + "', which is not a GUID");
    }
    if (!valid_resource_name(out.resource_group, 90)) {
      return fail_with("names resource group '" + out.resource_group +
                       "': 1 to 90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'");
    }
    if (kind == "workspace") {
      const bool ok = out.name.size() >= 4 && out.name.size() <= 63 && out.name.front() != '-' &&
                      out.name.back() != '-' &&
                      std::all_of(out.name.begin(), out.name.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
                      });
      if (!ok) {
        return fail_with("names workspace '" + out.name +
                         "': 4 to 63 letters, digits and '-', not first or last");
      }
    } else if (!valid_resource_name(out.name, 260)) {
      return fail_with("names " + std::string(kind) + " '" + out.name +
                       "': letters, digits, '_', '-', '.', '(' or ')', not ending in '.'");
    }
  }
  return out;
}

}  // namespace

std::optional<DcrResourceId> parse_dcr_resource_id(std::string_view id, bool validate,
                                                   std::string* why) {
  return parse_resource_id(id, "Microsoft.Insights", "dataCollectionRules", "rule", validate, why);
}

std::optional<DcrResourceId> parse_workspace_resource_id(std::string_view id, bool validate,
                                                         std::string* why) {
  return parse_resource_id(id, "Microsoft.OperationalInsights", "workspaces", "workspace", validate,
                           why);
}

std::vector<StoredColumn> columns_of_schema(const std::string& schema_json, std::string* table) {
  rapidjson::Document doc;
  doc.Parse(schema_json.data(), schema_json.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("columns")) {
    throw ConfigError("not a gd2sentinel schema document ({\"name\",\"table\",\"columns\":[...]})");
  }
  if (table != nullptr) *table = string_member(doc, "table").value_or("");
  return config_detail::parse_columns(doc["columns"], "schema");
}

}  // namespace wsemu
