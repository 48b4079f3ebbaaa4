#pragma once
// What `migrate logstash` found in the pipeline (logstash_migration.cpp) and then writes out as
// gd2sentinel's config and the report (logstash_output.cpp).

#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "migrate/logstash_migration.h"

namespace gd2s::migrate {

/// One line of the report: where in the Logstash config, and what became of it.
struct PlanNote {
  std::string where;  // "line 4" (one file) or "pipeline/10-in.conf:4"
  std::string text;
};

struct Plan {
  // [source.s3_listing]
  std::string bucket;
  std::string prefix;
  std::string region = "us-east-1";   // the default of Logstash's aws mixin
  std::string interval;               // "60s"; empty: gd2sentinel's default
  std::vector<std::string> accounts;  // from a prefix that reaches into AWSLogs/<account>/
  std::vector<std::string> regions;   // … and GuardDuty/<region>/
  std::optional<Timestamp> modified_after;
  std::vector<std::string> start_comment;  // lines above modified_after
  std::string start_report;                // the starting point, in plain words
  // [aws]
  std::string role_arn;
  std::string s3_endpoint;
  bool s3_path_style = false;
  // [sink.logs_ingestion]
  std::string endpoint;
  bool endpoint_from_logstash = false;  // the DCR plugin's data_collection_endpoint
  std::string dcr_immutable_id;
  std::string workspace_resource_id;
  // [azure]
  std::string auth = "auto";
  std::string cloud;  // empty: public
  std::string tenant_id;
  std::string client_id;
  std::string client_secret_env;  // set with auth = client_secret
  // The old pipeline's destination.
  std::string output_plugin;
  std::string table;         // "AWSGuardDuty_CL"; empty when a DCR decided it
  std::string workspace_id;  // the classic outputs' workspace (customer) id
  bool dcr_output = false;   // the DCR-based plugin: the table is already DCR-based
  // The report.
  std::vector<PlanNote> carried;
  std::vector<PlanNote> not_carried;
  std::vector<PlanNote> secrets;
  std::vector<std::string> differences;
  std::vector<std::string> secret_steps;  // what to set where, before the service starts
};

/// The s3 input, as the starting point needs it.
struct S3InputStart {
  std::string bucket;
  std::string prefix;                       // as Logstash has it: the sincedb's name uses it
  std::optional<std::string> sincedb_path;  // the input's sincedb_path, resolved
  std::string sincedb_path_where;           // "file:line" of that setting
  std::string input_where;                  // "line 4"
};

/// Sets plan.modified_after, start_comment and start_report; throws MigrationError when no
/// starting point can be found (it says where it looked and what to pass instead).
void choose_starting_point(const LogstashMigrationRequest& request, const S3InputStart& input,
                           Plan& plan);

std::string render_config(const Plan& plan, const LogstashMigrationRequest& request);
std::string render_report(const Plan& plan, const LogstashMigrationRequest& request);

/// A TOML basic string ("…", escaped as TOML needs).
std::string toml_string(const std::string& text);

}  // namespace gd2s::migrate
