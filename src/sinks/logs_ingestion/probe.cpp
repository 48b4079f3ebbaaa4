#include "sinks/logs_ingestion/probe.h"

#include "azure/data_collection_rule.h"
#include "azure/resource_manager.h"
#include "azure/token_claims.h"
#include "core/uuid.h"
#include "sinks/logs_ingestion/protocol.h"

namespace gd2s {
namespace {

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

// An empty array, sent as the sink sends rows: authorised, routed to the stream, nothing ingested.
void post_empty_array(const LogsIngestionConfig& sink, azure::TokenProviderPtr tokens,
                      http::HttpClient& http, ProbeReport& report) {
  std::string what = "post to " + sink.dcr_immutable_id + "/streams/" + sink.stream;
  try {
    LogsIngestionProtocol protocol(
        LogsIngestionOptions{sink.endpoint, sink.dcr_immutable_id, sink.stream, /*gzip_level=*/0},
        std::move(tokens));
    const std::string body = "[]";
    http::Request request = protocol.request(body, random_uuid(), {});
    request.body = body;  // the protocol leaves the body to its caller
    request.timeout = std::chrono::seconds(30);
    http::Response response = http.send(request);
    if (response.status / 100 == 2) {
      report.ok(what + " accepted (HTTP " + std::to_string(response.status) + ")");
      return;
    }
    std::string fix =
        response.status == 403
            ? "; grant the identity Monitoring Metrics Publisher on this data collection rule "
              "(it can take several minutes to apply)"
        : response.status == 404
            ? "; check endpoint, dcr_immutable_id and stream against the deployment's outputs "
              "(gd2sentinel azure-template)"
            : "";
    report.fail(what,
                "HTTP " + std::to_string(response.status) + " " + azure_error_text(response) + fix);
  } catch (const std::exception& error) {
    report.fail(what, error.what());
  }
}

// The rule's stream declaration against the rows. Returns the workspace the rule's destination
// names (empty when the rule was not read).
std::string probe_stream_columns(const LogsIngestionConfig& sink, const RowShape& rows,
                                 azure::ResourceManager& arm, ProbeReport& report) {
  const std::string what = "columns of stream " + sink.stream;
  if (sink.dcr_resource_id.empty()) {
    report.skip(what,
                "set [sink.logs_ingestion] dcr_resource_id (and give the identity Reader on "
                "the rule) to compare them with the " +
                    rows.schema + " schema");
    return "";
  }
  std::string rule;
  try {
    rule = azure::read_data_collection_rule(arm, sink.dcr_resource_id);
  } catch (const azure::ArmError& error) {
    std::string fix = error.status() == 403
                          ? "; give the identity Reader on the rule "
                            "(Microsoft.Insights/dataCollectionRules/read), or leave "
                            "dcr_resource_id out to skip this step"
                      : error.status() == 404 ? "; check dcr_resource_id"
                                              : "";
    report.fail(what, std::string(error.what()) + fix);
    return "";
  } catch (const std::exception& error) {
    report.fail(what, error.what());
    return "";
  }
  std::optional<std::vector<azure::TableColumn>> declared =
      azure::declared_columns(rule, sink.stream);
  if (!declared) {
    report.fail(what, "the rule " + sink.dcr_resource_id + " declares no stream " + sink.stream +
                          "; redeploy it from `gd2sentinel azure-template --schema " + rows.schema +
                          "`");
    return azure::rule_workspace(rule);
  }
  std::vector<std::string> problems = azure::declaration_gaps(*declared, rows.columns);
  if (problems.empty())
    report.ok(what + ": every column of the " + rows.schema + " schema is declared with its type");
  else
    report.fail(what, joined(problems, "; ") +
                          " (the service drops undeclared columns without a word); redeploy "
                          "the rule from `gd2sentinel azure-template --schema " +
                          rows.schema + "`");
  return azure::rule_workspace(rule);
}

// A table that may predate gd2sentinel: a classic (Data Collector API) AWSGuardDuty_CL, as the
// Logstash pipeline left it, takes no rows from a data collection rule until it is migrated.
void probe_existing_table(const LogsIngestionConfig& sink, const RowShape& rows,
                          azure::ResourceManager& arm, std::string workspace, ProbeReport& report) {
  const std::string what = "table " + rows.existing_table;
  if (!sink.workspace_resource_id.empty()) workspace = sink.workspace_resource_id;
  if (workspace.empty()) {
    report.skip(what,
                "set [sink.logs_ingestion] workspace_resource_id (or dcr_resource_id) to check "
                "that the table takes rows from a data collection rule");
    return;
  }
  std::optional<azure::LogAnalyticsTable> table;
  try {
    table = azure::read_table(arm, workspace, rows.existing_table);
  } catch (const azure::ArmError& error) {
    report.fail(
        what, std::string(error.what()) +
                  (error.status() == 403 ? "; give the identity Reader on the workspace "
                                           "(Microsoft.OperationalInsights/workspaces/tables/read)"
                                         : ""));
    return;
  } catch (const std::exception& error) {
    report.fail(what, error.what());
    return;
  }
  if (!table) {
    report.fail(what, "the workspace " + workspace +
                          " has no such table; deploy `gd2sentinel azure-template --schema " +
                          rows.schema + "`, which creates it");
    return;
  }
  if (table->classic()) {
    report.fail(what,
                "a classic table (made by the HTTP Data Collector API, as Logstash's output "
                "made it): a data collection rule cannot send to it until it is migrated. Run "
                "`gd2sentinel migrate table --config FILE` (needs "
                "Microsoft.OperationalInsights/workspaces/tables/migrate/action and "
                "tables/write, e.g. Log Analytics Contributor on the workspace), then deploy "
                "`gd2sentinel azure-template --schema " +
                    rows.schema +
                    " --existing-table`; its rows and "
                    "columns stay (docs/migrate-from-logstash.md)");
    return;
  }
  azure::ColumnGap gap = azure::column_gap(*table, rows.columns);
  if (gap.missing.empty() && gap.conflicts.empty()) {
    report.ok(what + " is DCR-based and has every column of the " + rows.schema + " schema");
    return;
  }
  std::vector<std::string> missing;
  for (const auto& column : gap.missing) missing.push_back(column.name);
  std::string text;
  if (!gap.missing.empty())
    text = std::to_string(gap.missing.size()) + " columns the rows carry are missing (" +
           joined(missing, ", ") +
           "): the service would drop them; `gd2sentinel migrate table --config FILE` adds them";
  for (const std::string& conflict : gap.conflicts) text += (text.empty() ? "" : "; ") + conflict;
  report.fail(what, text);
}

}  // namespace

void probe_logs_ingestion(const LogsIngestionConfig& sink, const azure::AzureAuthOptions& azure,
                          const RowShape& rows, http::HttpClientPtr http, ProbeReport& report) {
  azure::TokenProviderPtr tokens;
  try {
    tokens = azure::make_token_provider(azure, http);
    azure::AccessToken token = tokens->token();
    report.ok("Microsoft Entra token by " + tokens->describe() + ": " +
              azure::token_identity(token.value.reveal()));
  } catch (const std::exception& error) {
    report.fail("Microsoft Entra token", error.what());
    return;
  }
  if (sink.endpoint.empty() || sink.dcr_immutable_id.empty() || sink.stream.empty()) {
    // A move from another pipeline checks the table before the rule exists.
    report.fail("post to the data collection rule",
                "[sink.logs_ingestion] endpoint, dcr_immutable_id and stream are not all set: "
                "deploy `gd2sentinel azure-template --schema " +
                    rows.schema +
                    "` and copy its outputs logsIngestionEndpoint, dataCollectionRuleImmutableId "
                    "and streamName");
  } else {
    post_empty_array(sink, tokens, *http, report);
  }
  try {
    azure::ResourceManager arm = azure::make_resource_manager(azure, http);
    std::string workspace = probe_stream_columns(sink, rows, arm, report);
    if (!rows.existing_table.empty()) probe_existing_table(sink, rows, arm, workspace, report);
  } catch (const std::exception& error) {
    report.fail("Azure Resource Manager", error.what());
  }
}

}  // namespace gd2s
