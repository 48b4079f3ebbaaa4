#include "app/config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "app/config_reader.h"
#include "app/metrics_server.h"
#include "core/time.h"
#include "transform/schema.h"

namespace gd2s {
namespace {

std::string to_lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

constexpr std::string_view kSources[] = {"files", "s3_listing", "sqs", "guardduty_api"};
constexpr std::string_view kSinks[] = {"file", "logs_ingestion", "data_collector"};
constexpr std::string_view kAzureAuth[] = {"auto", "client_secret", "certificate",
                                           "workload_identity", "managed_identity"};
constexpr std::string_view kAzureClouds[] = {"public", "usgovernment", "china"};
constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};
constexpr std::string_view kLogFormats[] = {"text", "json"};

const toml::table* sub_table(TableReader& parent, const toml::table& table, std::string_view key) {
  const toml::node* node = table.get(key);
  parent.allow(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) {
    parent.issue(key, "must be a table");
    return nullptr;
  }
  return node->as_table();
}

void read_files_source(const toml::table& table, Config& config, std::vector<ConfigIssue>& issues) {
  TableReader r(table, "source.files", issues);
  FilesSourceConfig files;
  r.read("paths", files.paths);
  r.read("include", files.include);
  if (files.paths.empty() && r.line_of("paths") == 0)
    r.issue("paths", "is required: the files or folders to read");
  else if (files.paths.empty())
    r.issue("paths", "must name at least one file or folder");
  r.finish();
  config.files_source = std::move(files);
}

bool is_date(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  return parse_iso8601(text + "T00:00:00Z").has_value();
}

// RFC 3339 in UTC: "2026-09-14T10:22:33Z", with an optional fraction of a second.
bool is_utc_time(const std::string& text) {
  if (text.size() < 20 || text[10] != 'T' || !text.ends_with('Z')) return false;
  if (text.size() > 20 && text[19] != '.') return false;
  return parse_iso8601(text).has_value();
}

void read_s3_listing(const toml::table& table, Config& config, std::vector<ConfigIssue>& issues) {
  TableReader r(table, "source.s3_listing", issues);
  S3ListingConfig s3;
  r.read("bucket", s3.bucket);
  r.read("prefix", s3.prefix);
  r.read("region", s3.region);
  r.read("interval", s3.interval);
  r.read("since", s3.since);
  r.read("modified_after", s3.modified_after);
  r.read("accounts", s3.accounts);
  r.read("regions", s3.regions);
  std::string shard = "0/1";
  r.read("shard", shard);
  r.read("max_concurrent_objects", s3.max_concurrent_objects);
  if (s3.bucket.empty()) r.issue("bucket", "is required: the bucket GuardDuty exports findings to");
  if (s3.region.empty())
    r.issue("region", "is required: the bucket's AWS Region, e.g. \"eu-west-1\"");
  if (!s3.since.empty() && !is_date(s3.since))
    r.issue("since", "must be a date such as \"2026-01-01\", not \"" + s3.since + "\"");
  if (!s3.modified_after.empty() && !is_utc_time(s3.modified_after))
    r.issue("modified_after",
            "must be a UTC time in RFC 3339 form such as \"2026-09-14T10:22:33Z\", not \"" +
                s3.modified_after + "\"");
  for (const std::string& account : s3.accounts)
    if (account.size() != 12 || account.find_first_not_of("0123456789") != std::string::npos)
      r.issue("accounts", "\"" + account + "\" is not a 12-digit AWS account id");
  size_t slash = shard.find('/');
  unsigned long index = 0, count = 0;
  bool shard_ok = slash != std::string::npos && slash > 0 && slash + 1 < shard.size() &&
                  shard.find_first_not_of("0123456789/") == std::string::npos;
  if (shard_ok) {
    index = std::stoul(shard.substr(0, slash));
    count = std::stoul(shard.substr(slash + 1));
    shard_ok = count >= 1 && index < count && count <= 1024;
  }
  if (!shard_ok)
    r.issue("shard",
            "must be \"i/N\" with 0 <= i < N <= 1024 (this instance's share of the keys), not \"" +
                shard + "\"");
  s3.shard_index = static_cast<uint32_t>(index);
  s3.shard_count = static_cast<uint32_t>(std::max(1ul, count));
  if (s3.max_concurrent_objects < 1 || s3.max_concurrent_objects > 256)
    r.issue("max_concurrent_objects", "must be between 1 and 256");
  if (s3.interval < std::chrono::seconds(1)) r.issue("interval", "must be at least 1s");
  r.finish();
  config.s3_listing_source = std::move(s3);
}

// "https://sqs.eu-west-1.amazonaws.com/123456789012/q" → "eu-west-1"; empty when not AWS's.
std::string region_of_queue_url(const std::string& url) {
  constexpr std::string_view kPrefix = "https://sqs.";
  if (!url.starts_with(kPrefix)) return "";
  size_t end = url.find('.', kPrefix.size());
  if (end == std::string::npos || url.compare(end, 11, ".amazonaws.") != 0) return "";
  return url.substr(kPrefix.size(), end - kPrefix.size());
}

void read_sqs(const toml::table& table, Config& config, std::vector<ConfigIssue>& issues) {
  TableReader r(table, "source.sqs", issues);
  SqsConfig sqs;
  r.read("queue_url", sqs.queue_url);
  r.read("region", sqs.region);
  r.read("receivers", sqs.receivers);
  r.read("max_receive_count", sqs.max_receive_count);
  r.read("wait_time", sqs.wait_time);
  r.read("visibility_timeout", sqs.visibility_timeout);
  if (sqs.queue_url.empty())
    r.issue("queue_url",
            "is required, e.g. \"https://sqs.eu-west-1.amazonaws.com/123456789012/guardduty\"");
  else if (!sqs.queue_url.starts_with("https://") && !sqs.queue_url.starts_with("http://"))
    r.issue("queue_url",
            "must be the queue's URL (https://sqs.<region>.amazonaws.com/<account>/<name>)");
  if (sqs.region.empty()) sqs.region = region_of_queue_url(sqs.queue_url);
  if (sqs.region.empty() && !sqs.queue_url.empty())
    r.issue("region", "is required when the queue URL does not name one");
  if (sqs.receivers < 1 || sqs.receivers > 64) r.issue("receivers", "must be between 1 and 64");
  if (sqs.max_receive_count < 1 || sqs.max_receive_count > 1000)
    r.issue("max_receive_count", "must be between 1 and 1000");
  if (sqs.wait_time > std::chrono::seconds(20))
    r.issue("wait_time", "must be at most 20s (SQS long polling's limit)");
  if (sqs.visibility_timeout.count() != 0 && (sqs.visibility_timeout < std::chrono::seconds(2) ||
                                              sqs.visibility_timeout > std::chrono::hours(12)))
    r.issue("visibility_timeout", "must be between 2s and 12h (or 0s for the queue's own)");
  r.finish();
  config.sqs_source = std::move(sqs);
}

bool is_region(std::string_view text) {
  return text.size() >= 4 && text.find('-') != std::string_view::npos &&
         text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

bool is_detector_id(std::string_view text) {
  return !text.empty() && text.size() <= 300 && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c));
  });
}

// detector_ids: "ID" with one Region, "REGION/ID" with any; with them, every Region needs one.
void check_detector_ids(TableReader& r, const GuardDutyApiConfig& api) {
  std::set<std::string> covered;
  for (const std::string& entry : api.detector_ids) {
    size_t slash = entry.find('/');
    std::string region = slash == std::string::npos ? "" : entry.substr(0, slash);
    std::string id = slash == std::string::npos ? entry : entry.substr(slash + 1);
    if (!is_detector_id(id)) {
      r.issue("detector_ids", "\"" + entry +
                                  "\" is not a detector id (letters and digits, e.g. "
                                  "\"12abc34d567e8fa901bc2d34e56789f0\")");
    } else if (region.empty() && api.regions.size() > 1) {
      r.issue("detector_ids", "\"" + entry +
                                  "\" names no Region; with several regions write "
                                  "\"REGION/" +
                                  entry + "\"");
    } else if (!region.empty() &&
               std::find(api.regions.begin(), api.regions.end(), region) == api.regions.end()) {
      r.issue("detector_ids",
              "\"" + entry + "\" is in " + region + ", which regions does not list");
    } else {
      covered.insert(region.empty() && !api.regions.empty() ? api.regions.front() : region);
    }
  }
  if (api.detector_ids.empty()) return;
  for (const std::string& region : api.regions)
    if (!covered.contains(region))
      r.issue("detector_ids", "names no detector in " + region +
                                  "; list one for every Region, or leave detector_ids out to use "
                                  "ListDetectors");
}

void read_guardduty_api(const toml::table& table, Config& config,
                        std::vector<ConfigIssue>& issues) {
  TableReader r(table, "source.guardduty_api", issues);
  GuardDutyApiConfig api;
  r.read("regions", api.regions);
  r.read("detector_ids", api.detector_ids);
  r.read("since", api.since);
  r.read("interval", api.interval);
  r.read("lookback", api.lookback);
  if (api.regions.empty())
    r.issue("regions", "is required: the Regions whose detectors to read, e.g. [\"eu-west-1\"]");
  std::set<std::string> seen;
  for (const std::string& region : api.regions) {
    if (!is_region(region))
      r.issue("regions", "\"" + region + "\" is not an AWS Region such as \"eu-west-1\"");
    else if (!seen.insert(region).second)
      r.issue("regions", "names " + region + " twice");
  }
  check_detector_ids(r, api);
  if (!api.since.empty() && !is_date(api.since))
    r.issue("since", "must be a date such as \"2026-01-01\", not \"" + api.since + "\"");
  if (api.interval < std::chrono::seconds(1)) r.issue("interval", "must be at least 1s");
  if (api.lookback.count() < 0 || api.lookback > std::chrono::hours(24))
    r.issue("lookback", "must be between 0s and 24h");
  r.finish();
  config.guardduty_api_source = std::move(api);
}

void read_aws(const toml::table& table, Config& config, std::vector<ConfigIssue>& issues) {
  TableReader r(table, "aws", issues);
  AwsConfig& aws = config.aws;
  r.read("profile", aws.profile);
  r.read("role_arn", aws.role_arn);
  r.read("external_id", aws.external_id);
  r.read("s3_endpoint", aws.s3_endpoint);
  r.read("sqs_endpoint", aws.sqs_endpoint);
  r.read("sts_endpoint", aws.sts_endpoint);
  r.read("guardduty_endpoint", aws.guardduty_endpoint);
  r.read("s3_path_style", aws.s3_path_style);
  if (!aws.role_arn.empty() && !aws.role_arn.starts_with("arn:"))
    r.issue("role_arn", "must be a role ARN, e.g. \"arn:aws:iam::111122223333:role/gd2sentinel\"");
  for (const auto& [key, value] :
       {std::pair{"s3_endpoint", &aws.s3_endpoint}, std::pair{"sqs_endpoint", &aws.sqs_endpoint},
        std::pair{"sts_endpoint", &aws.sts_endpoint},
        std::pair{"guardduty_endpoint", &aws.guardduty_endpoint}}) {
    if (!value->empty() && !value->starts_with("https://") && !value->starts_with("http://"))
      r.issue(key, "must be a URL starting with https:// (or http:// for a local stand-in)");
  }
  r.finish();
}

void read_http(const toml::table& table, Config& config, std::vector<ConfigIssue>& issues) {
  TableReader r(table, "http", issues);
  HttpConfig& http = config.http;
  r.read("ca_file", http.ca_file);
  r.read("verify_tls", http.verify_tls);
  r.read("proxy", http.proxy);
  r.read("connect_timeout", http.connect_timeout);
  r.read("timeout", http.timeout);
  r.read("allow_insecure_http", http.allow_insecure_http);
  r.finish();
}

void read_transform(const toml::table& table, Config& config, std::vector<ConfigIssue>& issues) {
  TableReader r(table, "transform", issues);
  TransformConfig& t = config.transform;
  auto names = schema_names();
  r.read_choice("schema", t.schema, names);
  r.read("min_severity", t.filter.min_severity);
  if (t.filter.min_severity < 0 || t.filter.min_severity > 10)
    r.issue("min_severity", "must be between 0 and 10 (GuardDuty severities run from 1.0 to 10.0)");
  r.read("include_types", t.filter.include_types);
  r.read("exclude_types", t.filter.exclude_types);
  r.read("drop_sample", t.filter.drop_sample);
  r.read("drop_archived", t.filter.drop_archived);
  r.read("dedupe_window", t.dedupe_window);
  r.finish();
}

bool is_url(const std::string& text) {
  return text.starts_with("https://") || text.starts_with("http://");
}

bool is_guid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

void read_azure(const toml::table& table, Config& config, std::vector<ConfigIssue>& issues) {
  TableReader r(table, "azure", issues);
  AzureConfig& azure = config.azure;
  r.read_choice("auth", azure.auth, kAzureAuth);
  r.read_choice("cloud", azure.cloud, kAzureClouds);
  r.read("tenant_id", azure.tenant_id);
  r.read("client_id", azure.client_id);
  r.read_secret("client_secret", azure.client_secret);
  r.read("certificate", azure.certificate);
  r.read("authority_host", azure.authority_host);
  r.read("scope", azure.scope);
  r.read("managed_identity_object_id", azure.managed_identity_object_id);
  r.read("managed_identity_resource_id", azure.managed_identity_resource_id);
  r.read("imds_endpoint", azure.imds_endpoint);
  r.read("resource_manager", azure.resource_manager);
  bool app = azure.auth == "client_secret" || azure.auth == "certificate";
  if (app && azure.tenant_id.empty())
    r.issue("tenant_id",
            "is required for auth = \"" + azure.auth + "\": the Entra ID tenant (directory) id");
  if (app && azure.client_id.empty())
    r.issue("client_id",
            "is required for auth = \"" + azure.auth + "\": the application (client) id");
  if (azure.auth == "client_secret" && azure.client_secret.empty() &&
      r.line_of("client_secret") == 0)
    r.issue("client_secret",
            "is required for auth = \"client_secret\", e.g. \"env:AZURE_CLIENT_SECRET\"");
  if (azure.auth == "certificate" && azure.certificate.empty())
    r.issue("certificate",
            "is required for auth = \"certificate\": a PEM file with the certificate and its "
            "private key");
  for (const auto& [key, value] : {std::pair{"authority_host", &azure.authority_host},
                                   std::pair{"imds_endpoint", &azure.imds_endpoint},
                                   std::pair{"resource_manager", &azure.resource_manager}})
    if (!value->empty() && !is_url(*value))
      r.issue(key, "must be a URL starting with https:// (or http:// for a local stand-in)");
  if (!azure.scope.empty() && !azure.scope.ends_with("/.default"))
    r.issue("scope", "must end in \"/.default\", e.g. \"https://monitor.azure.com/.default\"");
  int identities = !azure.managed_identity_object_id.empty() +
                   !azure.managed_identity_resource_id.empty() +
                   (azure.auth == "managed_identity" && !azure.client_id.empty());
  if (identities > 1)
    r.issue("managed_identity_object_id",
            "names a user-assigned identity a second way: set one of client_id, "
            "managed_identity_object_id and managed_identity_resource_id");
  r.finish();
}

// The keys both Azure sinks share: how requests are cut, how many fly, how long retries wait.
// `limit` is the API's own size limit per request.
void read_batching(TableReader& r, int64_t& max_batch_bytes, int64_t& concurrency,
                   Duration& max_retry_delay, int64_t limit, std::string_view limit_text) {
  r.read("max_batch_bytes", max_batch_bytes);
  r.read("concurrency", concurrency);
  r.read("max_retry_delay", max_retry_delay);
  if (max_batch_bytes < 1024 || max_batch_bytes > limit)
    r.issue("max_batch_bytes", "must be between 1024 and " + std::to_string(limit) + " (" +
                                   std::string(limit_text) + ")");
  if (concurrency < 1 || concurrency > 64) r.issue("concurrency", "must be between 1 and 64");
  if (max_retry_delay < std::chrono::seconds(1)) r.issue("max_retry_delay", "must be at least 1s");
}

void read_logs_ingestion(const toml::table& table, Config& config, ConfigUse use,
                         std::vector<ConfigIssue>& issues) {
  const bool required = use == ConfigUse::kRun;
  TableReader r(table, "sink.logs_ingestion", issues);
  LogsIngestionConfig sink;
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
  read_batching(r, sink.max_batch_bytes, sink.concurrency, sink.max_retry_delay, 1048576,
                "the API's 1 MiB limit per request");
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
  r.finish();
  config.logs_ingestion_sink = std::move(sink);
}

void read_data_collector(const toml::table& table, Config& config,
                         std::vector<ConfigIssue>& issues) {
  TableReader r(table, "sink.data_collector", issues);
  DataCollectorConfig sink;
  r.read("workspace_id", sink.workspace_id);
  r.read_secret("shared_key", sink.shared_key);
  r.read("log_type", sink.log_type);
  r.read("endpoint", sink.endpoint);
  r.read("azure_resource_id", sink.azure_resource_id);
  read_batching(r, sink.max_batch_bytes, sink.concurrency, sink.max_retry_delay, 30000000,
                "the API's 30 MB limit per post");
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
  r.finish();
  config.data_collector_sink = std::move(sink);
}

template <typename Options>
void read_path_table(const toml::table& table, std::string prefix, Options& options,
                     std::vector<ConfigIssue>& issues) {
  TableReader r(table, std::move(prefix), issues);
  r.read("path", options.path);
  if (options.path.empty()) r.issue("path", "must not be empty");
  r.finish();
}

void read_dead_letter(const toml::table& table, DeadLetterConfig& options,
                      std::vector<ConfigIssue>& issues) {
  TableReader r(table, "dead_letter", issues);
  r.read("path", options.path);
  if (options.path.empty()) r.issue("path", "must not be empty");
  r.read("max_original_bytes", options.max_original_bytes);
  if (options.max_original_bytes < 1024 || options.max_original_bytes > 1024 * 1024)
    r.issue("max_original_bytes", "must be between 1024 and 1048576 (the record limit, 1 MiB)");
  r.read("max_file_bytes", options.max_file_bytes);
  if (options.max_file_bytes < 65536) r.issue("max_file_bytes", "must be at least 65536 (64 KiB)");
  r.finish();
}

std::string join(std::span<const std::string_view> names) {
  std::string out;
  for (std::string_view name : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

// [source.*] and [sink.*]: exactly one of the known kinds.
template <typename ReadKind>
void read_one_of(const toml::table& root, TableReader& top, std::string_view section,
                 std::span<const std::string_view> kinds, std::vector<ConfigIssue>& issues,
                 ReadKind read_kind) {
  const toml::table* table = sub_table(top, root, section);
  if (table == nullptr) {
    if (root.get(section) == nullptr)
      issues.push_back(ConfigIssue{std::string(section), 0,
                                   "is required: add one [" + std::string(section) +
                                       ".<kind>] table (kinds: " + join(kinds) + ")"});
    return;
  }
  TableReader r(*table, std::string(section), issues);
  int found = 0;
  for (std::string_view kind : kinds) {
    if (const toml::table* sub = sub_table(r, *table, kind)) {
      ++found;
      read_kind(kind, *sub);
    }
  }
  r.finish();
  if (found > 1)
    issues.push_back(ConfigIssue{
        std::string(section), top.line_of(section),
        "names more than one kind; a run has exactly one [" + std::string(section) + ".*] table"});
  else if (found == 0 && table->empty())
    issues.push_back(ConfigIssue{std::string(section), top.line_of(section),
                                 "is empty: add one [" + std::string(section) + ".<kind>] table"});
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "[::1]" || host.ends_with(".localhost")) return true;
  in_addr address{};
  std::string name(host);
  return inet_pton(AF_INET, name.c_str(), &address) == 1 &&
         (ntohl(address.s_addr) >> 24) == 127;  // 127.0.0.0/8
}

// The host of "scheme://host[:port]/…", brackets kept for IPv6 literals.
std::string_view url_host(std::string_view url) {
  size_t start = url.find("://");
  if (start == std::string_view::npos) return {};
  std::string_view rest = url.substr(start + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (rest.starts_with('[')) return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

// Every endpoint that receives a credential (a secret, a token, a signature with a session
// token) must be https:// unless it is on this host. The metadata endpoints are http:// by
// design and link-local, so they are not listed.
void check_cleartext(TableReader& top, Config& config, std::vector<ConfigIssue>& issues) {
  std::vector<std::pair<std::string, const std::string*>> endpoints{
      {"aws.s3_endpoint", &config.aws.s3_endpoint},
      {"aws.sqs_endpoint", &config.aws.sqs_endpoint},
      {"aws.sts_endpoint", &config.aws.sts_endpoint},
      {"aws.guardduty_endpoint", &config.aws.guardduty_endpoint},
      {"azure.authority_host", &config.azure.authority_host},
      {"azure.resource_manager", &config.azure.resource_manager}};
  if (config.logs_ingestion_sink)
    endpoints.emplace_back("sink.logs_ingestion.endpoint", &config.logs_ingestion_sink->endpoint);
  if (config.data_collector_sink)
    endpoints.emplace_back("sink.data_collector.endpoint", &config.data_collector_sink->endpoint);
  for (const auto& [key, url] : endpoints) {
    if (!url->starts_with("http://") || is_loopback_host(url_host(*url))) continue;
    if (config.http.allow_insecure_http) {
      config.warnings.push_back(key + " = \"" + *url +
                                "\" is plain http://: credentials and findings cross the network "
                                "in clear ([http] allow_insecure_http = true)");
    } else {
      issues.push_back(ConfigIssue{
          key, top.line_of(key.substr(0, key.find('.'))),
          "is plain http:// to a host other than this one: the credentials and tokens sent to it "
          "would cross the network in clear. Use https://, or set [http] allow_insecure_http = "
          "true for a test network"});
    }
  }
}

Config build(const toml::table& root, const std::string& file, ConfigUse use) {
  Config config;
  config.file = file;
  std::vector<ConfigIssue> issues;
  TableReader top(root, "", issues);

  read_one_of(root, top, "source", kSources, issues,
              [&](std::string_view kind, const toml::table& t) {
                if (kind == "files") {
                  read_files_source(t, config, issues);
                } else if (kind == "sqs") {
                  read_sqs(t, config, issues);
                } else if (kind == "guardduty_api") {
                  read_guardduty_api(t, config, issues);
                } else {
                  read_s3_listing(t, config, issues);
                }
              });
  read_one_of(root, top, "sink", kSinks, issues, [&](std::string_view kind, const toml::table& t) {
    if (kind == "logs_ingestion") {
      read_logs_ingestion(t, config, use, issues);
    } else if (kind == "data_collector") {
      read_data_collector(t, config, issues);
    } else {
      FileSinkConfig sink;
      read_path_table(t, "sink.file", sink, issues);
      config.file_sink = sink;
    }
  });
  if (const toml::table* t = sub_table(top, root, "transform")) read_transform(*t, config, issues);
  if (const toml::table* t = sub_table(top, root, "aws")) read_aws(*t, config, issues);
  if (const toml::table* t = sub_table(top, root, "http")) read_http(*t, config, issues);
  if (const toml::table* t = sub_table(top, root, "azure")) read_azure(*t, config, issues);
  if (config.data_collector_sink && config.transform.schema != "legacy")
    issues.push_back(ConfigIssue{
        "transform.schema", top.line_of("transform"),
        "must be \"legacy\" with [sink.data_collector]: the Data Collector API names the columns "
        "itself (type_s, title_s, …), which is the legacy schema"});
  if (const toml::table* t = sub_table(top, root, "dead_letter"))
    read_dead_letter(*t, config.dead_letter, issues);
  if (const toml::table* t = sub_table(top, root, "state"))
    read_path_table(*t, "state", config.state, issues);
  if (const toml::table* t = sub_table(top, root, "log")) {
    TableReader r(*t, "log", issues);
    r.read_choice("level", config.log.level, kLogLevels);
    r.read_choice("format", config.log.format, kLogFormats);
    r.read("progress_interval", config.log.progress_interval);
    r.finish();
  }
  if (const toml::table* t = sub_table(top, root, "metrics")) {
    TableReader r(*t, "metrics", issues);
    r.read("listen", config.metrics.listen);
    r.read("ready_window", config.metrics.ready_window);
    std::string host;
    int port = 0;
    if (!config.metrics.listen.empty() && !parse_listen_address(config.metrics.listen, host, port))
      r.issue("listen", "must be host:port (\"127.0.0.1:9464\", \"[::1]:9464\", \"0.0.0.0:9464\")");
    if (config.metrics.ready_window < std::chrono::seconds(10))
      r.issue("ready_window", "must be at least 10s");
    r.finish();
  }
  check_cleartext(top, config, issues);
  top.finish();
  if (!issues.empty()) throw ConfigError(file, std::move(issues));
  return config;
}

}  // namespace

std::string ConfigIssue::format(const std::string& file) const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": " + key + ": " + message;
  return out;
}

namespace {
// Missing keys (line 0) first, then in file order: the order a person fixes them in.
std::vector<ConfigIssue> in_file_order(std::vector<ConfigIssue> issues) {
  std::stable_sort(issues.begin(), issues.end(),
                   [](const ConfigIssue& a, const ConfigIssue& b) { return a.line < b.line; });
  return issues;
}
}  // namespace

ConfigError::ConfigError(std::string file, std::vector<ConfigIssue> unordered)
    : ConfigError(std::move(file), in_file_order(std::move(unordered)), 0) {}

ConfigError::ConfigError(std::string file, std::vector<ConfigIssue> issues, int)
    : std::runtime_error([&] {
        std::string text;
        for (const ConfigIssue& issue : issues) {
          if (!text.empty()) text += '\n';
          text += issue.format(file);
        }
        return text;
      }()),
      file_(std::move(file)),
      issues_(std::move(issues)) {}

Config parse_config(const std::string& text, const std::string& file, ConfigUse use) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& error) {
    throw ConfigError(file, {ConfigIssue{"(syntax)", static_cast<int>(error.source().begin.line),
                                         std::string(error.description())}});
  }
  return build(root, file, use);
}

Config load_config(const std::string& path, ConfigUse use) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, {ConfigIssue{"(file)", 0, "cannot be read"}});
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path, use);
}

namespace {

// The folder `path` is created in must exist and take new files; the file itself, if there,
// must be writable.
std::optional<std::string> unwritable(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path file(path);
  fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  std::error_code error;
  if (!fs::is_directory(folder, error))
    return "its folder " + folder.string() + " does not exist (create it, or change the path)";
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    return "its folder " + folder.string() +
           " is not writable by this user: " + std::strerror(errno);
  if (fs::exists(file, error) && ::access(file.c_str(), W_OK) != 0)
    return "the file is not writable by this user: " + std::string(std::strerror(errno));
  return std::nullopt;
}

// Binds (and releases) the address the metrics listener will take.
std::optional<std::string> unbindable(const std::string& listen) {
  std::string host;
  int port = 0;
  if (!parse_listen_address(listen, host, port)) return std::nullopt;  // reported already
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    return "cannot resolve " + host + ": " + ::gai_strerror(rc);
  std::optional<std::string> problem;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc = ::bind(fd, a->ai_addr, a->ai_addrlen);
    int error = errno;
    ::close(fd);
    // In use: most likely by this service, already running; the start-up says so if not.
    if (rc == 0 || error == EADDRINUSE) {
      problem.reset();
      break;
    }
    problem = "cannot listen on " + listen + ": " + std::strerror(error) +
              (error == EADDRNOTAVAIL ? " (this host has no such address)" : "");
  }
  ::freeaddrinfo(found);
  return problem;
}

}  // namespace

std::vector<ConfigIssue> host_issues(const Config& config) {
  std::vector<ConfigIssue> issues;
  if (auto problem = unwritable(config.state.path))
    issues.push_back({"state.path", 0, "\"" + config.state.path + "\": " + *problem});
  if (auto problem = unwritable(config.dead_letter.path))
    issues.push_back({"dead_letter.path", 0, "\"" + config.dead_letter.path + "\": " + *problem});
  if (!config.metrics.listen.empty())
    if (auto problem = unbindable(config.metrics.listen))
      issues.push_back({"metrics.listen", 0, *problem});
  return issues;
}

}  // namespace gd2s
