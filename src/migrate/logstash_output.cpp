// gd2sentinel's config and the report, from what the pipeline held (logstash_plan.h).

#include <toml++/toml.h>

#include <sstream>

#include "migrate/logstash_plan.h"
#include "migrate/logstash_sincedb.h"

namespace gd2s::migrate {
namespace {

std::string key(const std::string& name, const std::string& value) {
  return name + " = " + toml_string(value) + "\n";
}

// What the old pipeline wrote to, for the header: "s3 → PLUGIN[ → TABLE]".
std::string old_pipeline(const Plan& plan) {
  return "s3 → " + plan.output_plugin + (plan.table.empty() ? "" : " → " + plan.table);
}

std::string schema_comment(const Plan& plan) {
  if (plan.table.empty()) return "AWSGuardDuty_CL's flattened columns (type_s, title_s, …)";
  return "the " + plan.table + " columns the Logstash pipeline wrote";
}

std::string config_file(const LogstashMigrationRequest& request) {
  return request.output_path.empty() ? "/etc/gd2sentinel/gd2sentinel.toml" : request.output_path;
}

std::string source_table(const Plan& plan) {
  std::string text = "[source.s3_listing]\n" + key("bucket", plan.bucket) +
                     key("prefix", plan.prefix) + key("region", plan.region);
  if (!plan.interval.empty()) text += key("interval", plan.interval);
  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) out += (out.empty() ? "" : ", ") + toml_string(item);
    return "[" + out + "]";
  };
  if (!plan.accounts.empty()) text += "accounts = " + list(plan.accounts) + "\n";
  if (!plan.regions.empty()) text += "regions = " + list(plan.regions) + "\n";
  for (const std::string& line : plan.start_comment) text += "# " + line + "\n";
  if (plan.modified_after) text += key("modified_after", format_rfc3339(*plan.modified_after));
  return text;
}

std::string aws_table(const Plan& plan) {
  if (plan.role_arn.empty() && plan.s3_endpoint.empty() && !plan.s3_path_style) return "";
  std::string text = "\n[aws]\n";
  if (!plan.role_arn.empty()) text += key("role_arn", plan.role_arn);
  if (!plan.s3_endpoint.empty()) text += key("s3_endpoint", plan.s3_endpoint);
  if (plan.s3_path_style) text += "s3_path_style = true\n";
  return text;
}

std::string sink_table(const Plan& plan) {
  std::string text = "\n[sink.logs_ingestion]\n";
  if (plan.endpoint_from_logstash)
    text += "# The DCE the Logstash plugin posted to; the rule must be gd2sentinel's legacy one.\n";
  if (!plan.endpoint.empty()) {
    text += key("endpoint", plan.endpoint);
  } else {
    text += "# From the legacy template deployment's output logsIngestionEndpoint.\n";
    text += "# endpoint = \"https://…ingest.monitor.azure.com\"\n";
  }
  if (!plan.dcr_immutable_id.empty()) {
    text += key("dcr_immutable_id", plan.dcr_immutable_id);
  } else {
    text += "# From the legacy template deployment's output dataCollectionRuleImmutableId.\n";
    text += "# dcr_immutable_id = \"dcr-…\"\n";
  }
  text += key("stream", "Custom-GuardDutyLegacy");
  if (!plan.workspace_resource_id.empty())
    text += key("workspace_resource_id", plan.workspace_resource_id);
  return text;
}

std::string azure_table(const Plan& plan) {
  std::string text = "\n[azure]\n";
  if (plan.auth == "auto")
    text +=
        "# No identity was named (--tenant-id, --client-id): \"auto\" takes workload identity\n"
        "# when the environment provides it, else this machine's managed identity.\n";
  text += key("auth", plan.auth);
  if (!plan.cloud.empty()) text += key("cloud", plan.cloud);
  if (!plan.tenant_id.empty()) text += key("tenant_id", plan.tenant_id);
  if (!plan.client_id.empty()) text += key("client_id", plan.client_id);
  if (plan.auth == "client_secret") text += key("client_secret", "env:" + plan.client_secret_env);
  return text;
}

void notes(std::ostringstream& out, const std::string& title, const std::vector<PlanNote>& list) {
  out << "\n" << title << "\n";
  if (list.empty()) out << "  (none)\n";
  for (const PlanNote& note : list) out << "  " << note.where << ": " << note.text << "\n";
}

std::vector<std::string> steps(const Plan& plan, const LogstashMigrationRequest& request) {
  const std::string file = config_file(request);
  std::vector<std::string> list;
  list.push_back(
      "Stop Logstash first, and keep it stopped (systemctl disable --now logstash), so its "
      "sincedb is final and nothing is sent twice. If it was still running when this ran, the "
      "starting point may be stale: migrate again now that it is stopped.");
  for (const std::string& step : plan.secret_steps) list.push_back(step + ".");
  std::string workspace =
      plan.workspace_resource_id.empty() ? "<workspace ARM id>" : plan.workspace_resource_id;
  if (plan.workspace_resource_id.empty())
    list.push_back("Find the workspace's ARM id" +
                   (plan.workspace_id.empty()
                        ? std::string(" (Azure portal, the workspace's JSON view)")
                        : ": az monitor log-analytics workspace list --query \"[?customerId=='" +
                              plan.workspace_id + "'].id\" -o tsv") +
                   ", and set workspace_resource_id in [sink.logs_ingestion] (or pass "
                   "--workspace-resource-id next time).");
  if (!plan.dcr_output)
    list.push_back("Migrate " + plan.table +
                   " to a DCR-based table (its rows stay): gd2sentinel migrate table --config " +
                   file +
                   " (the identity needs Microsoft.OperationalInsights/workspaces/tables/"
                   "migrate/action and tables/write, e.g. Log Analytics Contributor on the "
                   "workspace), or: az rest --method post --url \"https://management.azure.com" +
                   workspace + "/tables/" + plan.table + "/migrate?api-version=2022-10-01\"");
  else
    list.push_back(
        "The Logstash rule's table is DCR-based already, nothing to migrate; gd2sentinel writes "
        "the legacy columns to AWSGuardDuty_CL, which its template creates (add "
        "--existing-table below if AWSGuardDuty_CL exists already).");
  list.push_back(
      "Deploy gd2sentinel's rule: gd2sentinel azure-template --schema legacy" +
      std::string(plan.dcr_output ? "" : " --existing-table") +
      " > gd2sentinel-legacy.json, then az deployment group create --resource-group <the "
      "workspace's> --template-file gd2sentinel-legacy.json (needs "
      "Microsoft.Insights/dataCollectionRules/write, e.g. Monitoring Contributor; it grants "
      "Monitoring Metrics Publisher on the rule to gd2sentinel's identity, which needs "
      "Microsoft.Authorization/roleAssignments/write).");
  std::string keys, outputs;
  if (plan.endpoint.empty()) {
    keys = "endpoint";
    outputs = "logsIngestionEndpoint";
  }
  if (plan.dcr_immutable_id.empty()) {
    keys += keys.empty() ? "dcr_immutable_id" : " and dcr_immutable_id";
    outputs +=
        outputs.empty() ? "dataCollectionRuleImmutableId" : " and dataCollectionRuleImmutableId";
  }
  if (!keys.empty())
    list.push_back("Fill in " + keys + " in [sink.logs_ingestion] of " + file +
                   " from the deployment's output" +
                   (outputs.find(" and ") != std::string::npos ? "s " : " ") + outputs +
                   " (until then validate-config names " +
                   (plan.endpoint.empty() && plan.dcr_immutable_id.empty() ? "them" : "it") +
                   " as missing: that is expected).");
  list.push_back("gd2sentinel check --config " + file +
                 " (every permission, and a post to the rule).");
  list.push_back("gd2sentinel run --config " + file + " (or: systemctl enable --now gd2sentinel).");
  list.push_back(
      "Confirm that nothing is missing or doubled with the query in "
      "docs/migrate-from-logstash.md.");
  return list;
}

}  // namespace

std::string toml_string(const std::string& text) {
  std::ostringstream out;
  out << toml::toml_formatter{toml::value<std::string>(text),
                              toml::format_flags::allow_unicode_strings};
  return out.str();
}

std::string render_config(const Plan& plan, const LogstashMigrationRequest& request) {
  std::string text = "# gd2sentinel config written by `gd2sentinel migrate logstash` at " +
                     format_rfc3339(std::chrono::floor<std::chrono::seconds>(request.now)) +
                     "\n# from the Logstash pipeline " + request.config_path + "\n# (" +
                     old_pipeline(plan) +
                     ").\n# Its report lists what was carried over, what was not, and the steps "
                     "left.\n\n";
  text += source_table(plan) + aws_table(plan);
  text += "\n[transform]\nschema = \"legacy\"  # " + schema_comment(plan) +
          "\n"
          "# The Logstash pipeline sent every finding, samples and archived ones too.\n"
          "# Set these to true to drop them.\n"
          "drop_sample = false\ndrop_archived = false\n";
  text += sink_table(plan) + azure_table(plan);
  text += "\n[state]\npath = \"/var/lib/gd2sentinel/state.db\"\n";
  text += "\n[dead_letter]\npath = \"/var/lib/gd2sentinel/dead-letters.jsonl\"\n";
  return text;
}

std::string render_report(const Plan& plan, const LogstashMigrationRequest& request) {
  std::ostringstream out;
  out << "Migrating the Logstash pipeline " << request.config_path << " to gd2sentinel ("
      << (request.output_path.empty() ? "the config is on stdout"
                                      : "the config is in " + request.output_path)
      << ").\nThe old pipeline: " << old_pipeline(plan)
      << (plan.workspace_id.empty() ? "" : " in workspace " + plan.workspace_id) << ".\n";
  notes(out, "Carried over:", plan.carried);
  notes(out, "Not carried over:", plan.not_carried);
  notes(out, "Secrets (no value is written to the config or printed):", plan.secrets);
  out << "\nStarting point:\n  " << plan.start_report << "\n";
  out << "\nDifferences between the old rows and the new:\n";
  for (const std::string& difference : plan.differences) out << "  - " << difference << "\n";
  out << "\nSteps left:\n";
  int n = 0;
  for (const std::string& step : steps(plan, request)) out << "  " << ++n << ". " << step << "\n";
  return out.str();
}

}  // namespace gd2s::migrate
