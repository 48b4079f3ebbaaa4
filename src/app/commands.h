#pragma once
// The subcommands of `gd2sentinel`. Each returns the process exit status:
// 0 done, 1 runtime failure, 2 bad usage or config.

#include <string>

namespace gd2s {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct RunOptions {
  std::string config_path;
  bool once = false;
  bool summary = false;
  std::string log_format;  // "text" or "json"; empty: the config's [log] format
};

int run_command(const RunOptions& options);
int validate_config_command(const std::string& config_path);
int schema_command(const std::string& name, const std::string& format);
int mitre_command(const std::string& format);
int azure_template_command(const std::string& schema, const std::string& format);
int aws_policy_command();
int check_command(const std::string& config_path);

}  // namespace gd2s
