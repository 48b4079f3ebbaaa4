// Azure Resource Manager, for data collection rules and role assignments:
//   GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Insights/
//       dataCollectionRules/{name}?api-version=2023-03-11
//   PUT the same, with the ARM body of a rule (deploys it: it joins the rules Logs
//       Ingestion serves, with a fresh immutable id)
//   PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{guid}?api-version=2022-04-01
//       (Monitoring Metrics Publisher on a rule lets the principal ingest through it)
// with a bearer token for the management resource (https://management.azure.com).
// Answers as ARM does (REFERENCE.md §9.1), errors as {"error":{"code","message"}}.
// The Tables API of a workspace is in arm_tables.cpp; the shared pieces in arm_common.cpp.
#include <algorithm>
#include <cctype>
#include <mutex>
#include <string_view>

#include "arm_common.h"
#include "base64.h"
#include "column_types.h"
#include "crypto.h"
#include "handlers.h"
#include "http_util.h"
#include "json_util.h"
#include "time_util.h"

namespace wsemu {
namespace {

constexpr const char* kReadAction = "Microsoft.Insights/dataCollectionRules/read";

bool reader(const DataCollectionRule& dcr, const TokenCheck& token) {
  if (!dcr.readers) return true;
  return names_principal(*dcr.readers, token);
}

void read_rule(const httplib::Request& request, httplib::Response& response, Emulator& emulator) {
  RequestScope scope(emulator, Endpoint::Arm, request, response);
  auto& record = scope.record();
  const auto token =
      begin_arm_request(request, response, emulator, record, emulator.config.arm.api_versions);
  if (!token) return;
  const std::string subscription = request.matches[1].str();
  const std::string group = request.matches[2].str();
  const std::string name = request.matches[3].str();
  if (!check_arm_scope(emulator, *token, subscription, group, response, record)) return;
  const auto dcr = emulator.rules.find_by_resource_id(request.path);
  if (dcr == nullptr) {
    return arm_resource_not_found(response, "Microsoft.Insights/dataCollectionRules", name, group,
                                  record);
  }
  if (!reader(*dcr, *token)) {
    return arm_authorization_failed(response, *token, kReadAction, request.path, record);
  }
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  write_rule(w, *dcr, emulator);
  set_json(response, 200, std::string(buffer.GetString(), buffer.GetSize()));
}

/// A refused rule definition: 400 InvalidPayload, the reason in the message.
void invalid_rule(httplib::Response& response, const std::string& reason, RequestRecord& record) {
  set_arm_error(response, 400, "InvalidPayload", "Data collection rule is invalid: " + reason,
                record);
}

/// The rule a PUT body describes, checked against the workspaces and their tables; on a
/// refusal answers and returns nullopt. Rows go through as the streams declare them: the
/// transform is kept for the answer only.
std::optional<DataCollectionRule> rule_of_body(const rapidjson::Document& doc, Emulator& emulator,
                                               httplib::Response& response, RequestRecord& record)
    REQUIRES(emulator.arm_writes) {
  auto refuse = [&](const std::string& reason) -> std::optional<DataCollectionRule> {
    invalid_rule(response, reason, record);
    return std::nullopt;
  };
  DataCollectionRule rule;
  const auto location = string_member(doc, "location");
  if (!location || location->empty()) {
    set_arm_error(response, 400, "LocationRequired",
                  "The location property is required for this definition.", record);
    return std::nullopt;
  }
  rule.location = *location;
  const auto properties = doc.FindMember("properties");
  if (properties == doc.MemberEnd() || !properties->value.IsObject()) {
    return refuse("'properties' is required.");
  }
  const auto& p = properties->value;
  const auto streams = p.FindMember("streamDeclarations");
  if (streams == p.MemberEnd() || !streams->value.IsObject() || streams->value.MemberCount() == 0) {
    return refuse("'properties.streamDeclarations' must declare at least one stream.");
  }
  for (const auto& s : streams->value.GetObject()) {
    StreamDeclaration decl;
    decl.name.assign(s.name.GetString(), s.name.GetStringLength());
    if (decl.name.rfind("Custom-", 0) != 0) {
      return refuse("stream '" + decl.name +
                    "': the names of declared streams must begin with 'Custom-'.");
    }
    const auto columns = s.value.IsObject() ? s.value.FindMember("columns") : s.value.MemberEnd();
    if (!s.value.IsObject() || columns == s.value.MemberEnd() || !columns->value.IsArray()) {
      return refuse("stream '" + decl.name + "' needs 'columns', an array of {name, type}.");
    }
    for (const auto& c : columns->value.GetArray()) {
      const auto column_name = c.IsObject() ? string_member(c, "name") : std::nullopt;
      const auto type_name = c.IsObject() ? string_member(c, "type") : std::nullopt;
      if (!column_name || !type_name || column_name->empty()) {
        return refuse("stream '" + decl.name + "': every column needs a 'name' and a 'type'.");
      }
      const auto type = parse_column_type(*type_name);
      if (!type) {
        return refuse("stream '" + decl.name + "', column '" + *column_name + "': unknown type '" +
                      *type_name + "' (string, int, long, real, boolean, datetime, dynamic).");
      }
      if (!std::all_of(column_name->begin(), column_name->end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
          })) {
        return refuse("stream '" + decl.name + "', column '" + *column_name +
                      "': a column name holds only letters, digits and '_'.");
      }
      decl.columns.push_back({*column_name, *type});
    }
    rule.streams.emplace(decl.name, std::move(decl));
  }

  // destinations.logAnalytics: name → workspace
  std::map<std::string, const Workspace*> destinations;
  const auto dest = p.FindMember("destinations");
  const auto log_analytics = dest != p.MemberEnd() && dest->value.IsObject()
                                 ? dest->value.FindMember("logAnalytics")
                                 : p.MemberEnd();
  if (dest == p.MemberEnd() || !dest->value.IsObject() ||
      log_analytics == dest->value.MemberEnd() || !log_analytics->value.IsArray() ||
      log_analytics->value.Empty()) {
    return refuse("'properties.destinations.logAnalytics' must name at least one workspace.");
  }
  for (const auto& d : log_analytics->value.GetArray()) {
    const auto workspace_id = d.IsObject() ? string_member(d, "workspaceResourceId") : std::nullopt;
    const auto name = d.IsObject() ? string_member(d, "name") : std::nullopt;
    if (!workspace_id || !name || name->empty()) {
      return refuse("every Log Analytics destination needs 'workspaceResourceId' and 'name'.");
    }
    const Workspace* workspace = emulator.config.find_workspace_by_resource_id(*workspace_id);
    if (workspace == nullptr) {
      return refuse("destination '" + *name + "': workspace '" + *workspace_id +
                    "' was not found (the emulator knows the workspaces its configuration gives "
                    "a resource_id).");
    }
    if (rule.workspace_resource_id.empty()) rule.workspace_resource_id = workspace->resource_id;
    destinations[*name] = workspace;
  }

  const auto flows = p.FindMember("dataFlows");
  if (flows == p.MemberEnd() || !flows->value.IsArray() || flows->value.Empty()) {
    return refuse("'properties.dataFlows' must hold at least one data flow.");
  }
  std::size_t index = 0;
  for (const auto& f : flows->value.GetArray()) {
    const std::string where = "data flow " + std::to_string(index++);
    if (!f.IsObject()) return refuse(where + " is not an object.");
    DataFlow flow;
    const auto flow_streams = f.FindMember("streams");
    if (flow_streams != f.MemberEnd() && flow_streams->value.IsArray()) {
      for (const auto& s : flow_streams->value.GetArray()) {
        if (s.IsString()) flow.streams.emplace_back(s.GetString(), s.GetStringLength());
      }
    }
    if (flow.streams.empty()) return refuse(where + " names no stream.");
    for (const auto& stream : flow.streams) {
      if (!rule.streams.contains(stream)) {
        return refuse(where + " names stream '" + stream +
                      "', which 'streamDeclarations' does not declare.");
      }
    }
    const auto flow_destinations = f.FindMember("destinations");
    if (flow_destinations != f.MemberEnd() && flow_destinations->value.IsArray()) {
      for (const auto& d : flow_destinations->value.GetArray()) {
        if (d.IsString()) flow.destinations.emplace_back(d.GetString(), d.GetStringLength());
      }
    }
    if (flow.destinations.empty()) return refuse(where + " names no destination.");
    for (const auto& d : flow.destinations) {
      if (!destinations.contains(d)) {
        return refuse(where + " names destination '" + d +
                      "', which 'destinations.logAnalytics' does not define.");
      }
    }
    flow.transform_kql = string_member(f, "transformKql").value_or("source");
    flow.output_stream = string_member(f, "outputStream").value_or("");
    const bool custom = flow.output_stream.rfind("Custom-", 0) == 0;
    const bool native = flow.output_stream.rfind("Microsoft-", 0) == 0;
    if (!custom && !native) {
      return refuse(where +
                    ": 'outputStream' must be 'Custom-<table>_CL' or 'Microsoft-<table>' (got '" +
                    flow.output_stream + "').");
    }
    flow.table = table_of_output_stream(flow.output_stream);
    if (custom) {
      if (flow.table.size() <= 3 || flow.table.substr(flow.table.size() - 3) != "_CL") {
        return refuse(where + ": the custom table of output stream '" + flow.output_stream +
                      "' must end in _CL.");
      }
      const auto table = emulator.store.find_table(flow.table);
      if (!table) {
        return refuse(where + ": table '" + flow.table + "' of output stream '" +
                      flow.output_stream +
                      "' was not found in the destination workspace; create "
                      "it first with the Tables API (PUT …/tables/" +
                      flow.table + ").");
      }
      if (table->sub_type == TableSubType::Classic) {
        return refuse(where + ": table '" + table->name + "' of output stream '" +
                      flow.output_stream +
                      "' is a classic custom log table, created by the Data Collector API. It "
                      "must be migrated (Tables - Migrate: POST …/tables/" +
                      table->name + "/migrate) before a data collection rule can send data to it.");
      }
      flow.table = table->name;
    }
    rule.data_flows.push_back(std::move(flow));
  }
  return rule;
}

void put_rule(const httplib::Request& request, httplib::Response& response, Emulator& emulator) {
  RequestScope scope(emulator, Endpoint::Arm, request, response);
  auto& record = scope.record();
  const auto token =
      begin_arm_request(request, response, emulator, record, emulator.config.arm.api_versions);
  if (!token) return;
  const std::string subscription = request.matches[1].str();
  const std::string group = request.matches[2].str();
  const std::string name = request.matches[3].str();
  if (!check_arm_scope(emulator, *token, subscription, group, response, record)) return;
  const std::string resource_id = "/subscriptions/" + subscription + "/resourceGroups/" + group +
                                  "/providers/Microsoft.Insights/dataCollectionRules/" + name;
  std::string why;
  auto resource = parse_dcr_resource_id(resource_id, true, &why);
  if (!resource) {
    return set_arm_error(response, 400, "InvalidResourceName",
                         "The resource name '" + name + "' is invalid: the id " + why + ".",
                         record);
  }
  rapidjson::Document doc;
  if (!parse_arm_object(request, response, record, doc)) return;
  MutexLock lock(emulator.arm_writes);
  auto rule = rule_of_body(doc, emulator, response, record);
  if (!rule) return;
  // A new rule: a fresh immutable id, the caller's tenant, readers of that tenant, and nobody
  // allowed to ingest until a role assignment grants Monitoring Metrics Publisher. A rule PUT
  // again keeps these (RuleSet::put).
  rule->immutable_id = "dcr-" + hex_encode(random_bytes(16));
  rule->resource_id = resource_id;
  rule->resource = std::move(*resource);
  rule->tenant_id = token->tenant_id;
  rule->publishers_closed = true;
  const auto stored = emulator.rules.put(std::move(*rule));
  // A Microsoft- table exists in every workspace; the emulator creates it on first use.
  for (const auto& flow : stored->data_flows) {
    if (flow.output_stream.rfind("Microsoft-", 0) != 0) continue;
    for (const auto& stream : flow.streams) {
      auto columns = stored->streams.at(stream).columns;
      if (std::none_of(columns.begin(), columns.end(),
                       [](const StoredColumn& c) { return c.name == "TimeGenerated"; })) {
        columns.insert(columns.begin(), {"TimeGenerated", ColumnType::Datetime});
      }
      if (!emulator.store.find_table(flow.table)) {
        emulator.store.define_table(flow.table, columns, TableSubType::DataCollectionRuleBased);
      }
    }
  }
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  write_rule(w, *stored, emulator);
  set_json(response, 200, std::string(buffer.GetString(), buffer.GetSize()));
}

/// PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{guid}: Monitoring Metrics
/// Publisher at a rule (or a scope above it) lets the principal ingest through the rule; other
/// roles are recorded without effect.
void put_role_assignment(const httplib::Request& request, httplib::Response& response,
                         Emulator& emulator) {
  RequestScope scope(emulator, Endpoint::Arm, request, response);
  auto& record = scope.record();
  const auto token = begin_arm_request(request, response, emulator, record,
                                       emulator.config.arm.role_assignment_api_versions);
  if (!token) return;
  const std::string assignment_scope = request.matches[1].str();
  const std::string name = request.matches[2].str();
  // The scope: a subscription, a resource group or a resource in one.
  std::vector<std::string> segments;
  for (std::size_t start = 1; start <= assignment_scope.size();) {
    const auto slash = assignment_scope.find('/', start);
    segments.push_back(assignment_scope.substr(
        start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (segments.size() < 2 || !iequals(segments[0], "subscriptions") ||
      (segments.size() > 2 && (segments.size() < 4 || !iequals(segments[2], "resourceGroups")))) {
    return set_arm_error(
        response, 400, "InvalidRoleAssignmentScope",
        "The scope '" + assignment_scope +
            "' is not a valid scope for a role "
            "assignment here: a subscription, a resource group or a resource in one.",
        record);
  }
  if (!check_arm_scope(emulator, *token, segments[1], segments.size() >= 4 ? segments[3] : "",
                       response, record)) {
    return;
  }
  if (parse_dcr_resource_id(assignment_scope, false, nullptr) &&
      emulator.rules.find_by_resource_id(assignment_scope) == nullptr) {
    return arm_resource_not_found(response, "Microsoft.Insights/dataCollectionRules",
                                  segments.back(), segments[3], record);
  }
  if (!is_guid(name) || name.front() == '{') {
    return set_arm_error(response, 400, "InvalidRoleAssignmentId",
                         "The role assignment ID '" + name +
                             "' is not valid. The role assignment ID must be a GUID.",
                         record);
  }
  rapidjson::Document doc;
  doc.Parse(request.body.data(), request.body.size());
  const auto properties =
      !doc.HasParseError() && doc.IsObject() ? doc.FindMember("properties") : doc.MemberEnd();
  if (doc.HasParseError() || !doc.IsObject() || properties == doc.MemberEnd() ||
      !properties->value.IsObject()) {
    return set_arm_error(response, 400, "InvalidRequestContent",
                         "The request content was invalid and could not be deserialized: "
                         "expected {\"properties\":{\"roleDefinitionId\",\"principalId\"}}.",
                         record);
  }
  RoleAssignment assignment;
  assignment.name = name;
  assignment.scope = assignment_scope;
  assignment.role_definition_id = string_member(properties->value, "roleDefinitionId").value_or("");
  assignment.principal_id = string_member(properties->value, "principalId").value_or("");
  assignment.principal_type =
      string_member(properties->value, "principalType").value_or("ServicePrincipal");
  assignment.created_by = token->object_id;
  assignment.created_on = format_iso8601(now_epoch_seconds());
  std::string role_lower = assignment.role_definition_id;
  for (char& c : role_lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (role_lower.find("/providers/microsoft.authorization/roledefinitions/") == std::string::npos ||
      !is_guid(role_lower.substr(role_lower.rfind('/') + 1))) {
    return set_arm_error(
        response, 400, "InvalidRoleDefinitionId",
        "The role definition ID '" + assignment.role_definition_id + "' is not valid.", record);
  }
  if (!is_guid(assignment.principal_id)) {
    return set_arm_error(response, 400, "InvalidPrincipalId",
                         "A valid principal ID must be provided for role assignment.", record);
  }
  if (!emulator.role_assignments.put(assignment)) {
    return set_arm_error(response, 409, "RoleAssignmentExists",
                         "The role assignment already exists.", record);
  }
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_string(w, "properties");
  w.StartObject();
  write_member(w, "roleDefinitionId", assignment.role_definition_id);
  write_member(w, "principalId", assignment.principal_id);
  write_member(w, "principalType", assignment.principal_type);
  write_member(w, "scope", assignment.scope);
  write_string(w, "condition");
  w.Null();
  write_string(w, "conditionVersion");
  w.Null();
  write_member(w, "createdOn", assignment.created_on);
  write_member(w, "updatedOn", assignment.created_on);
  write_member(w, "createdBy", assignment.created_by);
  write_member(w, "updatedBy", assignment.created_by);
  write_string(w, "delegatedManagedIdentityResourceId");
  w.Null();
  write_string(w, "description");
  w.Null();
  w.EndObject();
  write_member(w, "id",
               assignment.scope + "/providers/Microsoft.Authorization/roleAssignments/" + name);
  write_member(w, "type", "Microsoft.Authorization/roleAssignments");
  write_member(w, "name", name);
  w.EndObject();
  set_json(response, 201, std::string(buffer.GetString(), buffer.GetSize()));
}

}  // namespace

void register_arm(httplib::Server& server, Emulator& emulator) {
  const std::string rule = arm_resource_pattern("Microsoft.Insights", "dataCollectionRules");
  server.Get(rule, [&emulator](const httplib::Request& req, httplib::Response& res) {
    read_rule(req, res, emulator);
  });
  server.Put(rule, [&emulator](const httplib::Request& req, httplib::Response& res) {
    put_rule(req, res, emulator);
  });
  const std::string role_assignment =
      "(/" + any_case("subscriptions") + "/.+)/" + any_case("providers") + "/" +
      any_case("Microsoft.Authorization") + "/" + any_case("roleAssignments") + "/([^/]+)";
  server.Put(role_assignment, [&emulator](const httplib::Request& req, httplib::Response& res) {
    put_role_assignment(req, res, emulator);
  });
  register_arm_tables(server, emulator);
}

}  // namespace wsemu
