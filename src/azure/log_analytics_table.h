#pragma once
// A Log Analytics table through Resource Manager (REFERENCE §9.3, §10.6): read it, migrate a
// classic (Data Collector API) table to a DCR-based one, and add the columns a data collection
// rule will send, leaving the columns and rows it has alone.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "azure/resource_manager.h"

namespace gd2s::azure {

/// The Tables API version the calls use (Tables - Get, Create Or Update, Migrate).
inline constexpr std::string_view kTablesApiVersion = "2022-10-01";

struct TableColumn {
  std::string name;
  std::string
      type;  // Log Analytics type: string, real, boolean, datetime, dynamic, int, long, guid
};

struct LogAnalyticsTable {
  std::string name;
  /// "Classic" (made by the Data Collector API or custom fields), "DataCollectionRuleBased", or
  /// "Any" (built-in tables).
  std::string sub_type;
  std::vector<TableColumn> columns;  // the custom columns, without TimeGenerated
  bool classic() const { return sub_type == "Classic"; }
};

/// What a table lacks for rows of `wanted` columns: columns to add, and columns it has with a
/// type the rows do not carry (guid and string are one type: GUIDs are stored as strings).
struct ColumnGap {
  std::vector<TableColumn> missing;
  std::vector<std::string> conflicts;  // "Severity is int in the table, the rows send real"
};

/// The table's ARM id: `workspace_id` + "/tables/" + `table`.
std::string table_resource_id(std::string_view workspace_id, std::string_view table);

/// Tables - Get. nullopt when the workspace has no such table (ARM 404 ResourceNotFound);
/// throws ArmError for other refusals.
std::optional<LogAnalyticsTable> read_table(ResourceManager& arm, std::string_view workspace_id,
                                            std::string_view table);

/// Tables - Migrate: from the Data Collector API to DCR-based custom logs. Idempotent, not
/// reversible; needs Microsoft.OperationalInsights/workspaces/tables/migrate/action.
void migrate_table(ResourceManager& arm, std::string_view workspace_id, std::string_view table);

/// Tables - Create Or Update with every column the table has plus `added`: existing columns keep
/// their names, types and data. Needs Microsoft.OperationalInsights/workspaces/tables/write.
LogAnalyticsTable add_columns(ResourceManager& arm, std::string_view workspace_id,
                              const LogAnalyticsTable& table,
                              const std::vector<TableColumn>& added);

ColumnGap column_gap(const LogAnalyticsTable& table, const std::vector<TableColumn>& wanted);

/// Parses a Tables - Get answer. Throws std::runtime_error when it has no schema.
LogAnalyticsTable parse_table(std::string_view json);

/// The workspace a data collection rule's first Log Analytics destination points at, from the
/// rule's ARM JSON; empty when it has none.
std::string rule_workspace(std::string_view rule_json);

}  // namespace gd2s::azure
