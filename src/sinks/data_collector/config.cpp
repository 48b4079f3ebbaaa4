#include "sinks/data_collector/config.h"

#include <algorithm>
#include <cctype>

namespace gd2s {
namespace {

constexpr OptionDoc kOptions[] = {
    {"workspace_id", "string", "(required)"},
    {"shared_key", "secret", "(required)"},
    {"log_type", "string", R"(`"AWSGuardDuty"`)"},
    {"endpoint", "URL", "`https://<workspace_id>.ods.opinsights.azure.com`"},
    {"azure_resource_id", "string", R"(`""`)"},
    {"max_batch_bytes", "whole number, 1024–30000000", "`30000000`"},
    {"concurrency", "whole number, 1–64", "`2`"},
    {"max_retry_delay", "duration", R"(`"60s"`)"},
};

}  // namespace

std::span<const OptionDoc> data_collector_options() {
  return kOptions;
}

void read_data_collector_config(TableReader& r, DataCollectorConfig& sink) {
  r.read("workspace_id", sink.workspace_id);
  r.read_secret("shared_key", sink.shared_key);
  r.read("log_type", sink.log_type);
  r.read("endpoint", sink.endpoint);
  r.read("azure_resource_id", sink.azure_resource_id);
  read_batching_config(r, sink, 30000000, "the API's 30 MB limit per post");
  if (sink.workspace_id.empty())
    r.issue("workspace_id", "is required: the Log Analytics workspace id (a GUID)");
  else if (!is_guid(sink.workspace_id))
    r.issue("workspace_id", "must be the workspace id, a GUID such as \"7e1d3b9a-…\"");
  if (sink.shared_key.empty() && r.line_of("shared_key") == 0)
    r.issue("shared_key", "is required, e.g. \"env:WORKSPACE_KEY\" (the workspace's primary key)");
  bool log_type_ok = !sink.log_type.empty() && sink.log_type.size() <= 100 &&
                     std::all_of(sink.log_type.begin(), sink.log_type.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                     });
  if (!log_type_ok)
    r.issue("log_type", "must be 1 to 100 letters, digits or underscores");
  else if (sink.log_type.ends_with("_CL"))
    r.issue("log_type", "must not end in \"_CL\": the service appends it (\"" +
                            sink.log_type.substr(0, sink.log_type.size() - 3) + "\" writes to " +
                            sink.log_type + ")");
  if (!sink.endpoint.empty() && !is_url(sink.endpoint))
    r.issue("endpoint", "must be a URL starting with https://");
  while (sink.endpoint.ends_with('/')) sink.endpoint.pop_back();
}

}  // namespace gd2s
