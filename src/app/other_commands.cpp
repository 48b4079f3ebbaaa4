#include <fmt/format.h>

#include <cstdio>

#include "app/commands.h"
#include "app/config.h"
#include "app/logging.h"
#include "aws/operations.h"
#include "templates/azure_template.h"
#include "transform/mitre.h"
#include "transform/schema.h"

namespace gd2s {

int validate_config_command(const std::string& config_path, bool file_only) {
  try {
    Config config = load_config(config_path);
    for (const std::string& warning : config.warnings) print_error("warning: " + warning);
    std::vector<ConfigIssue> issues = file_only ? std::vector<ConfigIssue>{} : host_issues(config);
    if (!issues.empty()) {
      for (const ConfigIssue& issue : issues) print_error(issue.format(config_path));
      return kExitUsage;
    }
    std::printf("%s: ok\n", config_path.c_str());
    return kExitOk;
  } catch (const ConfigError& error) {
    print_error(error.what());
    return kExitUsage;
  }
}

int schema_command(const std::string& name, const std::string& format) {
  SchemaPtr schema = make_schema(name);
  if (!schema) {
    std::fprintf(stderr, "unknown schema \"%s\": use native or legacy\n", name.c_str());
    return kExitUsage;
  }
  if (format == "json") {
    std::printf("%s\n", schema_to_json(*schema).c_str());
  } else {
    std::printf("%s (table %.*s)\n", name.c_str(), static_cast<int>(schema->table().size()),
                schema->table().data());
    for (const Column& column : schema->columns())
      std::printf("  %-45.*s %-8.*s %.*s\n", static_cast<int>(column.name.size()),
                  column.name.data(), static_cast<int>(column_type_name(column.type).size()),
                  column_type_name(column.type).data(), static_cast<int>(column.description.size()),
                  column.description.data());
  }
  return kExitOk;
}

int mitre_command(const std::string& format) {
  if (format == "kql") {
    std::fputs(mitre_rules_as_kql().c_str(), stdout);
    return kExitOk;
  }
  std::printf("%-50s %-60s %s\n", "finding type", "tactics", "techniques");
  for (const MitreRule& rule : mitre_rules())
    std::printf("%-50.*s %-60.*s %.*s\n", static_cast<int>(rule.type_glob.size()),
                rule.type_glob.data(), static_cast<int>(rule.tactics.size()), rule.tactics.data(),
                static_cast<int>(rule.techniques.size()), rule.techniques.data());
  return kExitOk;
}

int azure_template_command(const std::string& schema_name, const std::string& format,
                           bool existing_table) {
  SchemaPtr schema = make_schema(schema_name);
  if (!schema) {
    std::fprintf(stderr, "unknown schema \"%s\": use native or legacy\n", schema_name.c_str());
    return kExitUsage;
  }
  if (existing_table && !std::string(schema->table()).ends_with("_CL")) {
    std::fprintf(stderr,
                 "--existing-table is for the legacy schema's AWSGuardDuty_CL table; the native "
                 "AWSGuardDuty table is Microsoft's and always exists\n");
    return kExitUsage;
  }
  templates::Deployment deployment = templates::azure_deployment(*schema, existing_table);
  std::fputs(
      (format == "bicep" ? templates::to_bicep(deployment) : templates::to_arm(deployment)).c_str(),
      stdout);
  return kExitOk;
}

int aws_policy_command() {
  std::fputs(aws::least_privilege_policy_json().c_str(), stdout);
  return kExitOk;
}

}  // namespace gd2s
