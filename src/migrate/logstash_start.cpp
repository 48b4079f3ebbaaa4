// The starting point of `migrate logstash`: --from-beginning, --start-after, or where the s3
// input's sincedb says Logstash left off (--sincedb, sincedb_path, or the default file under
// Logstash's path.data).

#include <filesystem>

#include "migrate/logstash_plan.h"
#include "migrate/logstash_sincedb.h"

namespace gd2s::migrate {
namespace {

SincedbReading find_sincedb(const LogstashMigrationRequest& request, const S3InputStart& input) {
  std::vector<std::string> looked;
  auto usable = [&](const std::string& path) {
    std::error_code error;
    looked.push_back(path);
    return std::filesystem::is_regular_file(path, error);
  };
  std::string path;
  if (!request.sincedb.empty()) {
    if (usable(request.sincedb)) path = request.sincedb;
  } else if (input.sincedb_path) {
    const std::string& configured = *input.sincedb_path;
    if (configured == "/dev/null")
      throw MigrationError(
          input.sincedb_path_where +
          ": sincedb_path => \"/dev/null\": Logstash kept no record of where it was, so there "
          "is no starting point to carry over. Say where to start: --start-after TIME (e.g. "
          "when the old pipeline stopped, \"2026-09-14 10:22:33 UTC\"), or --from-beginning "
          "(the whole bucket: findings Logstash already shipped will be in the table twice)");
    if (usable(configured)) path = configured;
  } else {
    for (const std::string& dir : request.data_dirs) {
      std::string candidate = default_sincedb_path(dir, input.bucket, input.prefix);
      if (usable(candidate)) {
        path = candidate;
        break;
      }
    }
  }
  if (path.empty()) {
    std::string list;
    for (const std::string& p : looked) list += "\n  " + p;
    throw MigrationError(
        "found no sincedb of the s3 input (" + input.input_where + "); looked at:" + list +
        "\nName it with --sincedb FILE (or --logstash-data DIR, Logstash's path.data), or say "
        "where to start: --start-after TIME (e.g. when the old pipeline stopped, \"2026-09-14 "
        "10:22:33 UTC\"), or --from-beginning (the whole bucket: findings Logstash already "
        "shipped will be in the table twice)");
  }
  try {
    return read_sincedb(path);
  } catch (const std::runtime_error& error) {
    throw MigrationError(error.what());
  }
}

}  // namespace

void choose_starting_point(const LogstashMigrationRequest& request, const S3InputStart& input,
                           Plan& plan) {
  if (request.from_beginning) {
    plan.start_comment = {"--from-beginning: every object of the bucket is read."};
    plan.start_report =
        "From the beginning (--from-beginning): every object in the bucket is read. Findings "
        "Logstash already shipped will be in " +
        (plan.table.empty() ? std::string("the table") : plan.table) +
        " twice (old rows and new ones); the docs' query finds them.";
    return;
  }
  if (!request.start_after.empty()) {
    plan.modified_after = parse_ruby_time(request.start_after);
    if (!plan.modified_after)
      throw MigrationError("--start-after \"" + request.start_after +
                           "\" is not a time such as \"2026-09-14 10:22:33 UTC\" or "
                           "\"2026-09-14T10:22:33Z\"");
    plan.start_comment = {"From --start-after " + request.start_after + "."};
    plan.start_report = "After " + format_rfc3339(*plan.modified_after) +
                        " (--start-after): objects modified at or before it are not read; "
                        "those modified after it are.";
    return;
  }
  SincedbReading sincedb = find_sincedb(request, input);
  if (!sincedb.time) {
    plan.start_comment = {"Logstash's sincedb " + sincedb.path + " is empty: it had",
                          "finished no object, so every object of the bucket is read."};
    plan.start_report = "From the beginning: Logstash's sincedb " + sincedb.path +
                        " is empty (Logstash reads that as 1970: it had finished no object), "
                        "so nothing was shipped that would come twice.";
    return;
  }
  plan.modified_after = sincedb.time;
  plan.start_comment = {
      "Where Logstash left off: its sincedb " + sincedb.path,
      "says \"" + sincedb.text + "\". Objects modified at or before it are not read again."};
  plan.start_report =
      "Where Logstash left off: " + sincedb.path + " says \"" + sincedb.text + "\" (written " +
      format_rfc3339(std::chrono::floor<std::chrono::seconds>(sincedb.written)) +
      "). Logstash had read every object modified at or before " + format_rfc3339(*sincedb.time) +
      "; gd2sentinel reads the ones modified after it (modified_after), none twice and none "
      "missed. If Logstash is still running, the sincedb moves on: stop it and migrate again.";
}

}  // namespace gd2s::migrate
