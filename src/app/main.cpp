// gd2sentinel: moves Amazon GuardDuty findings into Microsoft Sentinel.

#include <malloc.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "app/commands.h"
#include "app/version.h"

namespace {

// glibc gives each thread that meets a busy arena one of its own, up to 8 per core, and an
// arena keeps what was freed into it. Records are allocated by one thread and freed by another
// all along the pipeline, so each of the ~15 threads' arenas ends up holding a share of the
// queues' peak. One arena for all: peak RSS 36.0 → 34.1 MB on the 1 GB backlog together with
// the fixed threshold below, at the same CPU (bench/README.md; with two cores, at most two
// threads allocate at once anyway). And glibc raises its mmap threshold to the size of every
// large block freed, after which megabyte buffers (request arrays, gzip room, key tables, S3
// read-ahead) come from the arena and leave holes there; fixed at 256 KiB they are mappings of
// their own, returned whole when freed. The environment's MALLOC_ARENA_MAX and
// MALLOC_MMAP_THRESHOLD_ still win.
void tune_malloc() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 1);
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 256 * 1024);
}

}  // namespace

int main(int argc, char** argv) {
  tune_malloc();
  CLI::App app{"gd2sentinel: Amazon GuardDuty findings into Microsoft Sentinel", "gd2sentinel"};
  app.require_subcommand(1);
  // GNU-style --version (as the `version` command prints it) and --help-all (every command with
  // its options): help2man reads both to write the Debian package's man page.
  app.set_version_flag("--version", std::string("gd2sentinel ") + gd2s::kVersion);
  app.set_help_all_flag("--help-all", "Print help for every command and exit");

  gd2s::RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run the pipeline until stopped (finite sources end)");
  run_cmd->add_option("--config", run.config_path, "Config file (TOML)")->required();
  run_cmd->add_flag("--once", run.once,
                    "One pass over the source, then exit when all is committed");
  run_cmd->add_flag("--summary", run.summary, "Print a table of what was delivered at the end");
  run_cmd
      ->add_option("--log-format", run.log_format,
                   "text or json (overrides [log] format; default: text)")
      ->check(CLI::IsMember({"text", "json"}));

  std::string validate_path;
  auto* validate_cmd = app.add_subcommand("validate-config", "Check the config file");
  validate_cmd->add_option("--config", validate_path, "Config file (TOML)")->required();
  bool validate_file_only = false;
  validate_cmd->add_flag("--no-host-checks", validate_file_only,
                         "Check the file only, not this host's folders and metrics address "
                         "(for a config that will run on another machine)");

  std::string schema_name, schema_format = "json";
  auto* schema_cmd = app.add_subcommand("schema", "Print a schema's columns and types");
  schema_cmd->add_option("--name", schema_name, "native or legacy")
      ->required()
      ->check(CLI::IsMember({"native", "legacy"}));
  schema_cmd->add_option("--format", schema_format, "json or text")
      ->check(CLI::IsMember({"json", "text"}));

  std::string mitre_format = "text";
  auto* mitre_cmd = app.add_subcommand("mitre", "Print the MITRE ATT&CK mapping of finding types");
  mitre_cmd->add_option("--format", mitre_format, "text, or kql (the parser function's step)")
      ->check(CLI::IsMember({"text", "kql"}));

  std::string template_schema, template_format = "arm";
  auto* template_cmd = app.add_subcommand(
      "azure-template", "Print the Azure resources (DCR, table, role) for a schema");
  template_cmd->add_option("--schema", template_schema, "native or legacy")
      ->required()
      ->check(CLI::IsMember({"native", "legacy"}));
  template_cmd->add_option("--format", template_format, "arm (JSON, the default) or bicep")
      ->check(CLI::IsMember({"arm", "bicep"}));
  bool template_existing_table = false;
  template_cmd->add_flag("--existing-table", template_existing_table,
                         "The workspace has the AWSGuardDuty_CL table already (migrated by "
                         "`migrate table`): only the rule and the role");

  std::string check_path;
  auto* check_cmd =
      app.add_subcommand("check", "Test every permission and connection the config needs");
  check_cmd->add_option("--config", check_path, "Config file (TOML)")->required();

  gd2s::DeadLettersOptions dead_letters;
  auto* dead_letters_cmd = app.add_subcommand(
      "dead-letters", "Show dead-lettered records, or send them again once the cause is fixed");
  dead_letters_cmd->require_subcommand(1);
  auto* dead_list_cmd =
      dead_letters_cmd->add_subcommand("list", "One line per dead letter with its replay status");
  auto* dead_replay_cmd = dead_letters_cmd->add_subcommand(
      "replay", "Send the dead letters not yet replayed through the configured sink");
  for (CLI::App* cmd : {dead_list_cmd, dead_replay_cmd}) {
    cmd->add_option("--config", dead_letters.config_path, "Config file (TOML)")->required();
    cmd->add_option("--reason", dead_letters.reason,
                    "Only dead letters whose reason contains this text (any case)");
  }
  dead_list_cmd->add_option("--format", dead_letters.format, "text or json (one object a line)")
      ->check(CLI::IsMember({"text", "json"}));

  auto* policy_cmd = app.add_subcommand(
      "aws-policy", "Print the least-privilege IAM policy for the AWS calls gd2sentinel makes");

  // `migrate` gathers the ways off an older setup; each is a subcommand of its own.
  auto* migrate_cmd =
      app.add_subcommand("migrate", "Move an existing GuardDuty → Sentinel setup to gd2sentinel");
  migrate_cmd->require_subcommand(1);
  gd2s::MigrateTableOptions migrate_table;
  auto* migrate_table_cmd = migrate_cmd->add_subcommand(
      "table",
      "Migrate a classic AWSGuardDuty_CL (Data Collector API) to a DCR-based table and add the "
      "columns gd2sentinel writes, with the configured identity");
  migrate_table_cmd->add_option("--config", migrate_table.config_path, "Config file (TOML)")
      ->required();
  migrate_table_cmd->add_flag("--dry-run", migrate_table.dry_run,
                              "Read the table and say what would change; change nothing");

  gd2s::MigrateLogstashOptions migrate_logstash;
  auto* migrate_logstash_cmd = migrate_cmd->add_subcommand(
      "logstash",
      "Write a gd2sentinel config from a Logstash pipeline (s3 input → Log Analytics output), "
      "starting where its sincedb left off, and list the steps left");
  migrate_logstash_cmd
      ->add_option("--logstash-config", migrate_logstash.logstash_config,
                   "The pipeline's config file, or its folder (files read in name order)")
      ->required()
      ->type_name("PATH");
  migrate_logstash_cmd
      ->add_option(
          "--output", migrate_logstash.output,
          "Write the config to FILE (mode 0640) and the report to stdout; default: the config to "
          "stdout, the report to stderr")
      ->type_name("FILE");
  migrate_logstash_cmd->add_flag("--force", migrate_logstash.force,
                                 "Replace the --output file if it exists");
  migrate_logstash_cmd
      ->add_option(
          "--sincedb", migrate_logstash.sincedb,
          "The s3 input's sincedb file (default: sincedb_path, else under Logstash's path.data)")
      ->type_name("FILE");
  migrate_logstash_cmd
      ->add_option(
          "--logstash-data", migrate_logstash.logstash_data,
          "Logstash's path.data (default: /var/lib/logstash, then /usr/share/logstash/data)")
      ->type_name("DIR");
  auto* start_after =
      migrate_logstash_cmd
          ->add_option(
              "--start-after", migrate_logstash.start_after,
              "Read objects modified after TIME (\"2026-09-14 10:22:33 UTC\" or RFC 3339), not the "
              "sincedb's")
          ->type_name("TIME");
  auto* from_beginning =
      migrate_logstash_cmd->add_flag("--from-beginning", migrate_logstash.from_beginning,
                                     "Read the whole bucket (what Logstash shipped comes twice)");
  start_after->excludes(from_beginning);
  migrate_logstash_cmd
      ->add_option("--s3-input", migrate_logstash.s3_input,
                   "Which s3 input, 1 for the first, when the pipeline has several")
      ->check(CLI::PositiveNumber)
      ->type_name("N");
  migrate_logstash_cmd->add_flag(
      "--support-escapes", migrate_logstash.support_escapes,
      "Process \\ escapes in strings, as logstash.yml's config.support_escapes: true");
  migrate_logstash_cmd
      ->add_option("--endpoint", migrate_logstash.endpoint,
                   "The legacy rule's logs ingestion endpoint")
      ->type_name("URL");
  migrate_logstash_cmd
      ->add_option("--dcr-immutable-id", migrate_logstash.dcr_immutable_id,
                   "The legacy rule's immutable id (dcr-…)")
      ->type_name("ID");
  migrate_logstash_cmd
      ->add_option("--workspace-resource-id", migrate_logstash.workspace_resource_id,
                   "The Log Analytics workspace's ARM id")
      ->type_name("ID");
  migrate_logstash_cmd
      ->add_option("--tenant-id", migrate_logstash.tenant_id,
                   "The Entra tenant of gd2sentinel's app registration")
      ->type_name("ID");
  migrate_logstash_cmd
      ->add_option("--client-id", migrate_logstash.client_id, "The app registration's client id")
      ->type_name("ID");

  auto* version_cmd = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? gd2s::kExitOk : gd2s::kExitUsage;
  }

  if (*run_cmd) return gd2s::run_command(run);
  if (*validate_cmd) return gd2s::validate_config_command(validate_path, validate_file_only);
  if (*schema_cmd) return gd2s::schema_command(schema_name, schema_format);
  if (*mitre_cmd) return gd2s::mitre_command(mitre_format);
  if (*template_cmd)
    return gd2s::azure_template_command(template_schema, template_format, template_existing_table);
  if (*policy_cmd) return gd2s::aws_policy_command();
  if (*dead_list_cmd) return gd2s::dead_letters_list_command(dead_letters);
  if (*dead_replay_cmd) return gd2s::dead_letters_replay_command(dead_letters);
  if (*check_cmd) return gd2s::check_command(check_path);
  if (*migrate_logstash_cmd) return gd2s::migrate_logstash_command(migrate_logstash);
  if (*migrate_table_cmd) return gd2s::migrate_table_command(migrate_table);
  if (*version_cmd) {
    std::printf("gd2sentinel %s\n", gd2s::kVersion);
    return gd2s::kExitOk;
  }
  return gd2s::kExitUsage;
}
