// The Tables API of a Log Analytics workspace (REFERENCE.md §9.3, §10.6), on Azure Resource
// Manager:
//   GET  /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/
//        workspaces/{ws}/tables/{table}?api-version=2022-10-01        (Tables - Get)
//   PUT  the same, {"properties":{"schema":{"name","columns":[…]},…}} (Tables - Create Or Update)
//   POST the same + /migrate                                         (Tables - Migrate)
// The workspace is the configured one whose resource_id the path names; its tables are the
// store's. A table is Classic (created by the Data Collector API) or DataCollectionRuleBased
// (created here, by a rule, or migrated).
#include <algorithm>
#include <cctype>
#include <mutex>

#include "arm_common.h"
#include "column_types.h"
#include "handlers.h"
#include "http_util.h"
#include "json_util.h"

namespace wsemu {
namespace {

constexpr const char* kWriteAction = "Microsoft.OperationalInsights/workspaces/tables/write";
constexpr const char* kMigrateAction =
    "Microsoft.OperationalInsights/workspaces/tables/migrate/action";
constexpr std::size_t kMaxColumns = 500;  // per table (REFERENCE §9.3)

/// The columns every Log Analytics table has besides its own (TimeGenerated among them).
struct StandardColumn {
  const char* name;
  const char* type;
};
constexpr StandardColumn kStandardColumns[] = {{"TenantId", "guid"},
                                               {"TimeGenerated", "datetime"},
                                               {"SourceSystem", "string"},
                                               {"Type", "string"},
                                               {"_ResourceId", "string"}};

bool custom_table_name(std::string_view name) {
  return name.size() > 3 && name.substr(name.size() - 3) == "_CL";
}

void write_column(JsonWriter& w, std::string_view name, std::string_view type) {
  w.StartObject();
  write_member(w, "name", name);
  write_member(w, "type", type);
  write_string(w, "isDefaultDisplay");
  w.Bool(false);
  write_string(w, "isHidden");
  w.Bool(false);
  w.EndObject();
}

std::string table_json(const TableInfo& table, const TableSettings& settings,
                       const Workspace& workspace) {
  const std::int64_t retention = settings.retention_in_days.value_or(30);
  const std::int64_t total = settings.total_retention_in_days.value_or(retention);
  const bool custom = custom_table_name(table.name);
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_string(w, "properties");
  w.StartObject();
  write_string(w, "totalRetentionInDays");
  w.Int64(total);
  write_string(w, "archiveRetentionInDays");
  w.Int64(total - retention);
  write_member(w, "plan", settings.plan);
  write_string(w, "retentionInDaysAsDefault");
  w.Bool(!settings.retention_in_days);
  write_string(w, "totalRetentionInDaysAsDefault");
  w.Bool(!settings.total_retention_in_days);
  write_string(w, "retentionInDays");
  w.Int64(retention);
  write_string(w, "schema");
  w.StartObject();
  write_member(w, "name", table.name);
  write_member(w, "tableType", custom ? "CustomLog" : "Microsoft");
  write_member(w, "tableSubType",
               to_string(table.sub_type.value_or(TableSubType::DataCollectionRuleBased)));
  write_string(w, "columns");
  w.StartArray();
  for (const auto& column : table.columns) {
    if (column.name == "TimeGenerated") continue;
    write_column(w, column.name, to_string(column.type));
  }
  w.EndArray();
  write_string(w, "standardColumns");
  w.StartArray();
  for (const auto& column : kStandardColumns) write_column(w, column.name, column.type);
  w.EndArray();
  write_string(w, "solutions");
  w.StartArray();
  w.EndArray();
  write_member(w, "source", custom ? "customer" : "microsoft");
  w.EndObject();
  write_member(w, "provisioningState", "Succeeded");
  w.EndObject();
  write_member(w, "id", workspace.resource_id + "/tables/" + table.name);
  write_member(w, "name", table.name);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void table_not_found(httplib::Response& response, const std::string& table,
                     const std::string& workspace, RequestRecord& record) {
  set_arm_error(response, 404, "ResourceNotFound",
                "The table '" + table + "' was not found in workspace '" + workspace +
                    "'. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
                record);
}

void invalid_parameter(httplib::Response& response, const std::string& message,
                       RequestRecord& record) {
  set_arm_error(response, 400, "InvalidParameter", message, record);
}

/// The preamble every table request shares: api-version, token, subscription, group and
/// workspace. Returns the workspace, or null when the request was answered.
const Workspace* table_request(const httplib::Request& request, httplib::Response& response,
                               Emulator& emulator, RequestRecord& record,
                               std::optional<TokenCheck>& token) {
  token = begin_arm_request(request, response, emulator, record,
                            emulator.config.arm.table_api_versions);
  if (!token) return nullptr;
  const std::string subscription = request.matches[1].str();
  const std::string group = request.matches[2].str();
  const std::string name = request.matches[3].str();
  if (!check_arm_scope(emulator, *token, subscription, group, response, record)) return nullptr;
  const Workspace* workspace = emulator.config.find_workspace_by_resource_id(
      "/subscriptions/" + subscription + "/resourceGroups/" + group +
      "/providers/Microsoft.OperationalInsights/workspaces/" + name);
  if (workspace == nullptr) {
    arm_resource_not_found(response, "Microsoft.OperationalInsights/workspaces", name, group,
                           record);
  }
  return workspace;
}

bool table_writer(const Workspace& workspace, const TokenCheck& token) {
  return !workspace.table_writers || names_principal(*workspace.table_writers, token);
}

void get_table(const httplib::Request& request, httplib::Response& response, Emulator& emulator) {
  RequestScope scope(emulator, Endpoint::Arm, request, response);
  auto& record = scope.record();
  std::optional<TokenCheck> token;
  const Workspace* workspace = table_request(request, response, emulator, record, token);
  if (workspace == nullptr) return;
  const std::string name = request.matches[4].str();
  const auto table = emulator.store.find_table(name);
  if (!table) return table_not_found(response, name, workspace->resource.name, record);
  record.table = table->name;
  set_json(response, 200, table_json(*table, emulator.table_settings.get(table->name), *workspace));
}

void migrate_table(const httplib::Request& request, httplib::Response& response,
                   Emulator& emulator) {
  RequestScope scope(emulator, Endpoint::Arm, request, response);
  auto& record = scope.record();
  std::optional<TokenCheck> token;
  const Workspace* workspace = table_request(request, response, emulator, record, token);
  if (workspace == nullptr) return;
  if (!table_writer(*workspace, *token)) {
    return arm_authorization_failed(response, *token, kMigrateAction, request.path, record);
  }
  const std::string name = request.matches[4].str();
  MutexLock lock(emulator.arm_writes);
  const auto table = emulator.store.find_table(name);
  if (!table) return table_not_found(response, name, workspace->resource.name, record);
  record.table = table->name;
  // Idempotent: a DataCollectionRuleBased table stays as it is.
  emulator.store.set_sub_type(table->name, TableSubType::DataCollectionRuleBased);
  response.status = 200;
}

void put_table(const httplib::Request& request, httplib::Response& response, Emulator& emulator) {
  RequestScope scope(emulator, Endpoint::Arm, request, response);
  auto& record = scope.record();
  std::optional<TokenCheck> token;
  const Workspace* workspace = table_request(request, response, emulator, record, token);
  if (workspace == nullptr) return;
  if (!table_writer(*workspace, *token)) {
    return arm_authorization_failed(response, *token, kWriteAction, request.path, record);
  }
  const std::string name = request.matches[4].str();
  rapidjson::Document doc;
  if (!parse_arm_object(request, response, record, doc)) return;
  if (!custom_table_name(name)) {
    return invalid_parameter(
        response, "The table name '" + name + "' is invalid: a custom table's name ends in '_CL'.",
        record);
  }
  const auto properties = doc.FindMember("properties");
  if (properties == doc.MemberEnd() || !properties->value.IsObject()) {
    return invalid_parameter(response, "'properties' is required.", record);
  }
  const auto& p = properties->value;
  TableSettings settings = emulator.table_settings.get(name);
  if (auto plan = string_member(p, "plan")) {
    if (*plan != "Analytics" && *plan != "Basic" && *plan != "Auxiliary") {
      return invalid_parameter(
          response, "The plan '" + *plan + "' is invalid: Analytics, Basic or Auxiliary.", record);
    }
    settings.plan = *plan;
  }
  if (auto days = int_member(p, "retentionInDays")) {
    if (*days < 4 || *days > 730) {
      return invalid_parameter(response, "retentionInDays must be between 4 and 730.", record);
    }
    settings.retention_in_days = *days;
  }
  if (auto days = int_member(p, "totalRetentionInDays")) {
    if (*days < 4 || *days > 4383 || *days < settings.retention_in_days.value_or(30)) {
      return invalid_parameter(
          response, "totalRetentionInDays must be between retentionInDays and 4383.", record);
    }
    settings.total_retention_in_days = *days;
  }

  std::vector<StoredColumn> columns;
  std::vector<std::pair<std::string, std::string>> name_problems;  // column, what is wrong
  const auto schema = p.FindMember("schema");
  if (schema != p.MemberEnd()) {
    if (!schema->value.IsObject())
      return invalid_parameter(response, "'schema' must be an object.", record);
    if (auto schema_name = string_member(schema->value, "name");
        schema_name && !iequals(*schema_name, name)) {
      return invalid_parameter(
          response,
          "The schema name '" + *schema_name + "' does not match the table name '" + name + "'.",
          record);
    }
    if (auto list = schema->value.FindMember("columns"); list != schema->value.MemberEnd()) {
      if (!list->value.IsArray())
        return invalid_parameter(response, "'columns' must be an array.", record);
      for (const auto& c : list->value.GetArray()) {
        const auto column_name = c.IsObject() ? string_member(c, "name") : std::nullopt;
        const auto type_name = c.IsObject() ? string_member(c, "type") : std::nullopt;
        if (!column_name || !type_name) {
          return invalid_parameter(response, "Every column needs a 'name' and a 'type'.", record);
        }
        const auto type = parse_table_column_type(*type_name);
        if (!type) {
          return invalid_parameter(response,
                                   "The column '" + *column_name + "' has an invalid type '" +
                                       *type_name +
                                       "': string, int, long, real, boolean, dateTime, dynamic or "
                                       "guid.",
                                   record);
        }
        if (*column_name == "TimeGenerated") {
          if (*type != ColumnType::Datetime) {
            return invalid_parameter(
                response, "The column 'TimeGenerated' must be of type dateTime.", record);
          }
        } else if (std::string problem = table_column_name_problem(*column_name);
                   !problem.empty()) {
          // Judged once the table is known: a column it has already (a classic table's
          // `_timestamp_t`, made by the Data Collector API) is restated, not created.
          name_problems.emplace_back(*column_name, std::move(problem));
        }
        for (const auto& other : columns) {
          if (iequals(other.name, *column_name)) {
            return invalid_parameter(response, "The column '" + *column_name + "' is listed twice.",
                                     record);
          }
        }
        columns.push_back({*column_name, *type});
      }
    }
  }

  MutexLock lock(emulator.arm_writes);
  const auto existing = emulator.store.find_table(name);
  if (existing && existing->sub_type == TableSubType::Classic) {
    return invalid_parameter(
        response,
        "The table '" + existing->name +
            "' is a classic custom log table, created by the Data Collector API; its schema "
            "cannot be changed through the Tables API. Migrate it first (Tables - Migrate: POST "
            "…/tables/" +
            existing->name + "/migrate), then change it.",
        record);
  }
  for (const auto& named : name_problems) {
    const std::string& column_name = named.first;
    const bool restated =
        existing && std::any_of(existing->columns.begin(), existing->columns.end(),
                                [&](const StoredColumn& c) { return c.name == column_name; });
    if (!restated) {
      return invalid_parameter(response,
                               "The column name '" + column_name + "' is invalid: it " +
                                   named.second +
                                   " (a letter first, then up to 45 letters, digits and "
                                   "underscores; not _ResourceId, id, _SubscriptionId, "
                                   "TenantId, Type, UniqueId or Title).",
                               record);
    }
  }
  if (existing) {
    std::size_t added = 0;
    for (const auto& column : columns) {
      const auto have =
          std::find_if(existing->columns.begin(), existing->columns.end(),
                       [&](const StoredColumn& c) { return iequals(c.name, column.name); });
      if (have == existing->columns.end()) {
        ++added;
      } else if (have->type != column.type) {
        return invalid_parameter(
            response,
            "The column '" + have->name + "' is of type '" + std::string(to_string(have->type)) +
                "'; it cannot be changed to '" + std::string(to_string(column.type)) + "'.",
            record);
      }
    }
    if (existing->columns.size() + added > kMaxColumns) {
      return invalid_parameter(response, "A table has at most 500 columns.", record);
    }
    // Columns the body leaves out are kept (the emulator adds, it never removes).
    std::vector<StoredColumn> new_columns;
    for (const auto& column : columns) {
      if (std::none_of(existing->columns.begin(), existing->columns.end(),
                       [&](const StoredColumn& c) { return iequals(c.name, column.name); })) {
        new_columns.push_back(column);
      }
    }
    emulator.store.define_table(existing->name, new_columns);
  } else {
    if (std::none_of(columns.begin(), columns.end(),
                     [](const StoredColumn& c) { return c.name == "TimeGenerated"; })) {
      return invalid_parameter(
          response,
          "The schema of table '" + name + "' must have the column TimeGenerated (dateTime).",
          record);
    }
    if (columns.size() > kMaxColumns) {
      return invalid_parameter(response, "A table has at most 500 columns.", record);
    }
    emulator.store.define_table(name, columns, TableSubType::DataCollectionRuleBased);
  }
  const auto table = emulator.store.find_table(name);
  emulator.table_settings.set(table->name, settings);
  record.table = table->name;
  set_json(response, 200, table_json(*table, settings, *workspace));
}

}  // namespace

void register_arm_tables(httplib::Server& server, Emulator& emulator) {
  const std::string table = arm_resource_pattern("Microsoft.OperationalInsights", "workspaces") +
                            "/" + any_case("tables") + "/([^/]+)";
  server.Get(table, [&emulator](const httplib::Request& req, httplib::Response& res) {
    get_table(req, res, emulator);
  });
  server.Put(table, [&emulator](const httplib::Request& req, httplib::Response& res) {
    put_table(req, res, emulator);
  });
  server.Post(table + "/" + any_case("migrate"),
              [&emulator](const httplib::Request& req, httplib::Response& res) {
                migrate_table(req, res, emulator);
              });
}

}  // namespace wsemu
