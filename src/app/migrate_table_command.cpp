// `gd2sentinel migrate table`: makes the legacy AWSGuardDuty_CL table ready for gd2sentinel's
// data collection rule, signed in as the configured identity. A classic table (the one the
// Logstash + Data Collector API pipeline made) is migrated to a DCR-based one (Tables - Migrate,
// REFERENCE §10.6); the columns gd2sentinel's rows carry that the table lacks are added. Rows
// and existing columns are left as they are.

#include <cstdio>
#include <optional>

#include "app/commands.h"
#include "app/components.h"
#include "app/config.h"
#include "app/logging.h"
#include "azure/log_analytics_table.h"
#include "core/redaction.h"
#include "http/curl_client.h"
#include "transform/schema.h"

namespace gd2s {
namespace {

void say(const std::string& mark, const std::string& text) {
  std::printf("%s\n", redact(mark + " " + text).c_str());
  std::fflush(stdout);
}

std::string permission_hint(const azure::ArmError& error, const char* action) {
  if (error.status() != 403) return "";
  return "; the identity needs " + std::string(action) +
         " on the workspace (e.g. the Log Analytics Contributor role)";
}

// The workspace from the config, else from the rule's destination when the rule exists.
std::string workspace_of(const Config& config, azure::ResourceManager& arm) {
  const LogsIngestionConfig& sink = *config.logs_ingestion_sink;
  if (!sink.workspace_resource_id.empty()) return sink.workspace_resource_id;
  if (!sink.dcr_resource_id.empty())
    return azure::rule_workspace(arm.call("GET", sink.dcr_resource_id, "2023-03-11"));
  return "";
}

}  // namespace

int migrate_table_command(const MigrateTableOptions& options) {
  Config config;
  try {
    config = load_config(options.config_path, ConfigUse::kAzureSetup);
  } catch (const ConfigError& error) {
    print_error(error.what());
    return kExitUsage;
  }
  setup_logging("error", config.log.format);
  if (!config.logs_ingestion_sink || config.transform.schema != SchemaKind::kLegacy) {
    print_error(options.config_path +
                ": migrate table works on the legacy AWSGuardDuty_CL table: it needs "
                "[sink.logs_ingestion] and [transform] schema = \"legacy\" (the native "
                "AWSGuardDuty table is Microsoft's and needs no migration)");
    return kExitUsage;
  }
  SchemaPtr schema = make_schema("legacy");
  const std::string table_name(schema->table());
  const char* prefix = options.dry_run ? "(dry run) " : "";
  try {
    http::HttpClientPtr http = http::make_curl_client(http_options(config.http));
    azure::ResourceManager arm = azure::make_resource_manager(config.azure, http);
    std::string workspace = workspace_of(config, arm);
    if (workspace.empty()) {
      print_error(options.config_path +
                  ": set [sink.logs_ingestion] workspace_resource_id to the workspace's ARM id "
                  "(az monitor log-analytics workspace list --query "
                  "\"[?customerId=='<workspace id>'].id\" -o tsv)");
      return kExitUsage;
    }
    std::optional<azure::LogAnalyticsTable> table;
    try {
      table = azure::read_table(arm, workspace, table_name);
    } catch (const azure::ArmError& error) {
      print_error(std::string(error.what()) +
                  permission_hint(error, "Microsoft.OperationalInsights/workspaces/tables/read"));
      return kExitFailure;
    }
    if (!table) {
      print_error(workspace + " has no table " + table_name +
                  ": there is nothing to migrate; deploy `gd2sentinel azure-template --schema "
                  "legacy` (without --existing-table), which creates it");
      return kExitFailure;
    }
    say("✓", "read " + table_name + " in " + workspace + ": " + table->sub_type + ", " +
                 std::to_string(table->columns.size()) + " columns");
    if (table->classic()) {
      if (!options.dry_run) {
        try {
          azure::migrate_table(arm, workspace, table_name);
        } catch (const azure::ArmError& error) {
          print_error(std::string(error.what()) +
                      permission_hint(
                          error, "Microsoft.OperationalInsights/workspaces/tables/migrate/action"));
          return kExitFailure;
        }
        table = azure::read_table(arm, workspace, table_name);
        if (!table || table->classic()) {
          print_error("Resource Manager accepted the migration of " + table_name +
                      " but the table still reads as classic; run this command again in a "
                      "minute");
          return kExitFailure;
        }
      }
      say("✓", std::string(prefix) + "migrated " + table_name +
                   " to a DCR-based table (Tables - Migrate: not reversible; its rows and "
                   "columns stay, and the Data Collector API can still write to its existing "
                   "columns)");
    } else {
      say("✓", table_name + " is already DCR-based: nothing to migrate");
    }
    azure::ColumnGap gap = azure::column_gap(*table, table_columns(*schema));
    if (!gap.missing.empty()) {
      std::string list;
      for (const auto& column : gap.missing)
        list += (list.empty() ? "" : ", ") + column.name + " (" + column.type + ")";
      if (!options.dry_run) {
        try {
          table = azure::add_columns(arm, workspace, *table, gap.missing);
        } catch (const azure::ArmError& error) {
          print_error(
              std::string(error.what()) +
              permission_hint(error, "Microsoft.OperationalInsights/workspaces/tables/write"));
          return kExitFailure;
        }
      }
      say("✓", std::string(prefix) + "added " + std::to_string(gap.missing.size()) +
                   " columns gd2sentinel writes that the table lacked: " + list);
    } else {
      say("✓", table_name + " has every column gd2sentinel writes");
    }
    for (const std::string& conflict : gap.conflicts)
      say("!", conflict +
                   ": the column keeps the type it has (the Tables API does not change a column's "
                   "type)");
    say("→",
        "next: deploy the data collection rule and its role with `gd2sentinel azure-template "
        "--schema legacy --existing-table` (Monitoring Contributor on the resource group), "
        "then `gd2sentinel check --config " +
            options.config_path + "`");
    return kExitOk;
  } catch (const std::exception& error) {
    print_error(error.what());
    return kExitFailure;
  }
}

}  // namespace gd2s
