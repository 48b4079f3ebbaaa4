// `gd2sentinel migrate logstash`: reads the Logstash pipeline, writes gd2sentinel's config
// (to --output, else stdout) and the report (stdout with --output, else stderr).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "app/commands.h"
#include "app/logging.h"
#include "migrate/logstash_migration.h"

namespace gd2s {
namespace {

// Writes the config with mode 0640; refuses an existing file unless `force`.
int write_config(const std::string& path, const std::string& text, bool force) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
  int fd = ::open(path.c_str(), flags, 0640);
  if (fd < 0 && errno == EEXIST) {
    print_error(path + " exists already: pass --force to replace it");
    return kExitUsage;
  }
  if (fd < 0) {
    print_error(path + ": cannot be written: " + std::strerror(errno));
    return kExitFailure;
  }
  bool ok = ::fchmod(fd, 0640) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  int error = errno;
  if (::close(fd) != 0) ok = false;
  if (!ok) {
    print_error(path + ": cannot be written: " + std::strerror(error));
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

int migrate_logstash_command(const MigrateLogstashOptions& options) {
  migrate::LogstashMigrationRequest request;
  request.config_path = options.logstash_config;
  request.s3_input = options.s3_input;
  request.sincedb = options.sincedb;
  request.data_dirs =
      options.logstash_data.empty()
          ? std::vector<std::string>{"/var/lib/logstash", "/usr/share/logstash/data"}
          : std::vector<std::string>{options.logstash_data};
  request.start_after = options.start_after;
  request.from_beginning = options.from_beginning;
  request.endpoint = options.endpoint;
  request.dcr_immutable_id = options.dcr_immutable_id;
  request.workspace_resource_id = options.workspace_resource_id;
  request.tenant_id = options.tenant_id;
  request.client_id = options.client_id;
  request.output_path = options.output;
  request.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  request.now = now_utc();
  migrate::LogstashMigration result;
  try {
    request.pipeline = logstash::load_pipeline(options.logstash_config,
                                               logstash::ParseOptions{options.support_escapes});
    result = migrate::migrate_logstash(request);
  } catch (const logstash::ParseError& error) {
    print_error(error.what());
    return kExitUsage;
  } catch (const migrate::MigrationError& error) {
    print_error(error.what());
    return kExitUsage;
  } catch (const std::runtime_error& error) {  // the file or folder cannot be read
    print_error(error.what());
    return kExitUsage;
  }
  if (options.output.empty()) {
    std::fputs(result.config.c_str(), stdout);
    std::fputs(result.report.c_str(), stderr);
    return kExitOk;
  }
  if (int status = write_config(options.output, result.config, options.force); status != kExitOk)
    return status;
  std::fputs(result.report.c_str(), stdout);
  return kExitOk;
}

}  // namespace gd2s
