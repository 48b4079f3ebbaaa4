#include "sinks/logs_ingestion/config.h"

namespace gd2s {
namespace {

constexpr OptionDoc kOptions[] = {
    {"endpoint", "URL", "(required)"},
    {"dcr_immutable_id", "string", "(required)"},
    {"stream", "string", "(required)"},
    {"dcr_resource_id", "string", R"(`""`)"},
    {"workspace_resource_id", "string", R"(`""`)"},
    {"max_batch_bytes", "whole number, 1024–1048576", "`1048576`"},
    {"concurrency", "whole number, 1–64", "`4`"},
    {"gzip_level", "whole number, 1–9", "`1`"},
    {"max_retry_delay", "duration", R"(`"60s"`)"},
};

}  // namespace

std::span<const OptionDoc> logs_ingestion_options() {
  return kOptions;
}

void read_logs_ingestion_config(TableReader& r, LogsIngestionConfig& sink, bool required) {
  r.read("endpoint", sink.endpoint);
  r.read("dcr_immutable_id", sink.dcr_immutable_id);
  r.read("stream", sink.stream);
  r.read("dcr_resource_id", sink.dcr_resource_id);
  if (!sink.dcr_resource_id.empty() &&
      (!sink.dcr_resource_id.starts_with("/subscriptions/") ||
       to_lower(sink.dcr_resource_id).find("/providers/microsoft.insights/datacollectionrules/") ==
           std::string::npos))
    r.issue("dcr_resource_id",
            "must be the rule's ARM resource id, \"/subscriptions/…/resourceGroups/…/providers/"
            "Microsoft.Insights/dataCollectionRules/NAME\"");
  r.read("workspace_resource_id", sink.workspace_resource_id);
  while (sink.workspace_resource_id.ends_with('/')) sink.workspace_resource_id.pop_back();
  if (!sink.workspace_resource_id.empty() &&
      (!sink.workspace_resource_id.starts_with("/subscriptions/") ||
       to_lower(sink.workspace_resource_id)
               .find("/providers/microsoft.operationalinsights/workspaces/") == std::string::npos))
    r.issue("workspace_resource_id",
            "must be the workspace's ARM resource id, \"/subscriptions/…/resourceGroups/…/"
            "providers/Microsoft.OperationalInsights/workspaces/NAME\"");
  read_batching_config(r, sink, 1048576, "the API's 1 MiB limit per request");
  r.read("gzip_level", sink.gzip_level);
  if (sink.endpoint.empty()) {
    if (required)
      r.issue("endpoint", "is required: the DCR's logs ingestion endpoint (or a DCE URL)");
  } else if (!is_url(sink.endpoint)) {
    r.issue("endpoint", "must be a URL starting with https://");
  }
  while (sink.endpoint.ends_with('/')) sink.endpoint.pop_back();
  if (sink.dcr_immutable_id.empty()) {
    if (required)
      r.issue("dcr_immutable_id",
              "is required: the DCR's immutable id, \"dcr-\" and 32 hex digits");
  } else if (!sink.dcr_immutable_id.starts_with("dcr-")) {
    r.issue("dcr_immutable_id",
            "must be the DCR's immutable id (\"dcr-…\"), not its name or resource id");
  }
  if (sink.stream.empty()) {
    if (required)
      r.issue("stream", "is required: the DCR's input stream, e.g. \"Custom-GuardDutyFinding\"");
  } else if (!sink.stream.starts_with("Custom-") && !sink.stream.starts_with("Microsoft-")) {
    r.issue("stream", "must be a stream the DCR declares, \"Custom-…\" or \"Microsoft-…\"");
  }
  if (sink.gzip_level < 1 || sink.gzip_level > 9) r.issue("gzip_level", "must be between 1 and 9");
}

}  // namespace gd2s
