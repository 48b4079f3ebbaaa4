#include "app/registry.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "aws/credential_providers.h"
#include "azure/azure_auth.h"
#include "sinks/data_collector/sink.h"
#include "sinks/file/probe.h"
#include "sinks/file/sink.h"
#include "sinks/logs_ingestion/probe.h"
#include "sinks/logs_ingestion/protocol.h"
#include "sources/files/probe.h"
#include "sources/files/source.h"
#include "sources/guardduty_api/probe.h"
#include "sources/guardduty_api/source.h"
#include "sources/s3_listing/probe.h"
#include "sources/s3_listing/source.h"
#include "sources/sqs/probe.h"
#include "sources/sqs/source.h"
#include "transform/schema.h"

namespace gd2s {
namespace {

// ---- sources -------------------------------------------------------------------------------

// The AWS credential chain of [aws], for the source's Region.
SourceParts aws_parts(const Config& config, const std::string& region, http::HttpClientPtr http) {
  SourceParts parts;
  parts.http = std::move(http);
  aws::ChainOptions chain;
  chain.profile = config.aws.profile;
  chain.role_arn = config.aws.role_arn;
  chain.external_id = config.aws.external_id;
  chain.region = region;
  chain.endpoints = endpoint_overrides(config.aws);
  parts.credentials = aws::make_default_chain(chain, parts.http);
  return parts;
}

std::unique_ptr<aws::S3Client> s3_client(const Config& config, const SourceParts& parts,
                                         const std::string& region) {
  aws::S3Settings settings;
  settings.region = region;
  settings.endpoints = endpoint_overrides(config.aws);
  settings.path_style = config.aws.s3_path_style;
  return std::make_unique<aws::S3Client>(parts.http, parts.credentials, settings);
}

SourceParts make_files(const Config& config, StateStore& state, bool, http::HttpClientPtr) {
  const FilesSourceConfig& files = *config.files_source;
  SourceParts parts;
  parts.source = std::make_unique<FileSource>(FileSourceOptions{files.paths, files.include}, state);
  parts.description = "files (" + std::to_string(files.paths.size()) + " paths)";
  return parts;
}

SourceParts make_s3_listing(const Config& config, StateStore& state, bool once,
                            http::HttpClientPtr http) {
  const S3ListingConfig& s3 = *config.s3_listing_source;
  SourceParts parts = aws_parts(config, s3.region, std::move(http));
  parts.s3 = s3_client(config, parts, s3.region);
  S3ListingOptions listing{
      s3.bucket,
      s3.prefix,
      s3.interval,
      s3.since,
      s3.accounts,
      s3.regions,
      s3.shard_index,
      s3.shard_count,
      static_cast<size_t>(s3.max_concurrent_objects),
      once,
      s3.modified_after.empty() ? std::nullopt : parse_iso8601(s3.modified_after)};
  parts.source = std::make_unique<S3ListingSource>(listing, *parts.s3, state);
  parts.description = "s3_listing (s3://" + s3.bucket + "/" + s3.prefix + ", " + s3.region +
                      (s3.modified_after.empty() ? "" : ", modified after " + s3.modified_after) +
                      (once ? ", one pass" : ", every " + format_duration(s3.interval)) + ")";
  return parts;
}

SourceParts make_sqs(const Config& config, StateStore&, bool once, http::HttpClientPtr http) {
  const SqsConfig& q = *config.sqs_source;
  SourceParts parts = aws_parts(config, q.region, std::move(http));
  parts.s3 = s3_client(config, parts, q.region);
  parts.sqs = std::make_unique<aws::SqsClient>(
      parts.http, parts.credentials,
      aws::SqsSettings{q.region, endpoint_overrides(config.aws), {}});
  SqsSourceOptions options;
  options.queue_url = q.queue_url;
  options.receivers = static_cast<size_t>(q.receivers);
  options.max_receive_count = static_cast<uint32_t>(q.max_receive_count);
  options.wait_time = std::chrono::duration_cast<std::chrono::seconds>(q.wait_time);
  options.visibility_timeout =
      std::chrono::duration_cast<std::chrono::seconds>(q.visibility_timeout);
  options.once = once;
  parts.source = std::make_unique<SqsSource>(options, *parts.sqs, *parts.s3);
  parts.description = "sqs (" + q.queue_url + ", " + std::to_string(q.receivers) + " receivers" +
                      (once ? ", until drained" : "") + ")";
  return parts;
}

SourceParts make_guardduty_api(const Config& config, StateStore& state, bool once,
                               http::HttpClientPtr http) {
  const GuardDutyApiConfig& api = *config.guardduty_api_source;
  SourceParts parts = aws_parts(config, api.regions.at(0), std::move(http));
  GuardDutyApiOptions options;
  options.regions = api.regions;
  options.detector_ids = api.detector_ids;
  options.since = api.since.empty()
                      ? now_utc() - std::chrono::days(90)  // GuardDuty keeps findings 90 days
                      : parse_iso8601(api.since + "T00:00:00Z").value_or(Timestamp{});
  options.interval = api.interval;
  options.lookback = api.lookback;
  options.once = once;
  std::vector<aws::GuardDutyClient*> clients;
  for (const std::string& region : api.regions) {
    parts.guardduty.push_back(std::make_unique<aws::GuardDutyClient>(
        parts.http, parts.credentials,
        aws::GuardDutySettings{region, endpoint_overrides(config.aws), {}}));
    clients.push_back(parts.guardduty.back().get());
  }
  parts.source = std::make_unique<GuardDutyApiSource>(options, clients, state);
  std::string regions;
  for (const std::string& region : api.regions) regions += (regions.empty() ? "" : ", ") + region;
  parts.description = "guardduty_api (" + regions +
                      (once ? ", one pass" : ", every " + format_duration(api.interval)) + ")";
  return parts;
}

constexpr SourceKind kSources[] = {
    {"files", files_source_options,
     [](TableReader& r, Config& c) { read_files_source_config(r, c.files_source.emplace()); },
     make_files,
     [](const Config& c, SourceParts&, ProbeReport& report) {
       probe_files_source(*c.files_source, report);
     }},
    {"s3_listing", s3_listing_options,
     [](TableReader& r, Config& c) { read_s3_listing_config(r, c.s3_listing_source.emplace()); },
     make_s3_listing,
     [](const Config& c, SourceParts& parts, ProbeReport& report) {
       probe_s3_listing(*parts.s3, *c.s3_listing_source, report);
     }},
    {"sqs", sqs_source_options,
     [](TableReader& r, Config& c) { read_sqs_source_config(r, c.sqs_source.emplace()); }, make_sqs,
     [](const Config& c, SourceParts& parts, ProbeReport& report) {
       probe_sqs_source(*parts.sqs, *c.sqs_source, report);
     }},
    {"guardduty_api", guardduty_api_options,
     [](TableReader& r, Config& c) {
       read_guardduty_api_config(r, c.guardduty_api_source.emplace());
     },
     make_guardduty_api,
     [](const Config& c, SourceParts& parts, ProbeReport& report) {
       probe_guardduty_api(parts.guardduty, *c.guardduty_api_source, report);
     }},
};

// ---- sinks ---------------------------------------------------------------------------------

SinkParts make_file_sink(const Config& config, http::HttpClientPtr) {
  SinkParts parts;
  parts.sink = std::make_unique<FileSink>(config.file_sink->path);
  parts.description = "file " + config.file_sink->path;
  return parts;
}

SinkParts make_logs_ingestion(const Config& config, http::HttpClientPtr http) {
  const LogsIngestionConfig& li = *config.logs_ingestion_sink;
  SinkParts parts;
  auto tokens = azure::make_token_provider(config.azure, http);
  LogsIngestionOptions options{li.endpoint, li.dcr_immutable_id, li.stream,
                               static_cast<int>(li.gzip_level)};
  parts.description = "logs_ingestion (" + li.endpoint + ", " + li.dcr_immutable_id + "/" +
                      li.stream + ", " + tokens->describe() + ")";
  parts.sink = std::make_unique<HttpBatchSink>(
      std::make_unique<LogsIngestionProtocol>(std::move(options), std::move(tokens)),
      std::move(http), batching_options(li));
  return parts;
}

SinkParts make_data_collector(const Config& config, http::HttpClientPtr http) {
  const DataCollectorConfig& dc = *config.data_collector_sink;
  spdlog::warn(
      "sink.data_collector: Microsoft retired the HTTP Data Collector API on 14 September "
      "2026; it gets only critical fixes and may stop at any time. Move to "
      "[sink.logs_ingestion] with schema = \"legacy\" (same AWSGuardDuty_CL columns).");
  DataCollectorOptions options;
  options.endpoint = dc.endpoint.empty()
                         ? data_collector_endpoint(dc.workspace_id, config.azure.cloud)
                         : dc.endpoint;
  options.workspace_id = dc.workspace_id;
  options.shared_key = dc.shared_key;
  options.log_type = dc.log_type;
  options.azure_resource_id = dc.azure_resource_id;
  SinkParts parts;
  parts.description = "data_collector (" + options.endpoint + ", Log-Type " + dc.log_type + ")";
  parts.sink = std::make_unique<DataCollectorSink>(std::move(options), std::move(http),
                                                   batching_options(dc));
  return parts;
}

void probe_logs_ingestion_sink(const Config& config, http::HttpClientPtr http,
                               ProbeReport& report) {
  SchemaPtr schema = make_schema(config.transform.schema);
  RowShape rows;
  rows.schema = std::string(schema_name(config.transform.schema));
  rows.columns = table_columns(*schema);
  // The legacy table may be the one the Logstash pipeline made (docs/migrate-from-logstash.md).
  if (config.transform.schema == SchemaKind::kLegacy) rows.existing_table = schema->table();
  probe_logs_ingestion(*config.logs_ingestion_sink, config.azure, rows, std::move(http), report);
}

constexpr SinkKind kSinks[] = {
    {"file", file_sink_options,
     [](TableReader& r, Config& c, ConfigUse) { read_file_sink_config(r, c.file_sink.emplace()); },
     make_file_sink,
     [](const Config& c, http::HttpClientPtr, ProbeReport& report) {
       probe_file_sink(*c.file_sink, report);
     }},
    {"logs_ingestion", logs_ingestion_options,
     [](TableReader& r, Config& c, ConfigUse use) {
       read_logs_ingestion_config(r, c.logs_ingestion_sink.emplace(), use == ConfigUse::kRun);
     },
     make_logs_ingestion, probe_logs_ingestion_sink},
    {"data_collector", data_collector_options,
     [](TableReader& r, Config& c, ConfigUse) {
       read_data_collector_config(r, c.data_collector_sink.emplace());
     },
     make_data_collector,
     [](const Config&, http::HttpClientPtr, ProbeReport& report) {
       report.skip("data collector sink", "the retired API is not checked; move to logs_ingestion");
     }},
};

template <typename Kind>
const Kind& find_kind(std::span<const Kind> kinds, std::string_view name, const char* table) {
  for (const Kind& kind : kinds)
    if (kind.name == name) return kind;
  throw std::logic_error(std::string("no [") + table + "." + std::string(name) + "] component");
}

}  // namespace

std::span<const SourceKind> source_kinds() {
  return kSources;
}
std::span<const SinkKind> sink_kinds() {
  return kSinks;
}

const SourceKind& source_kind(const Config& config) {
  return find_kind(source_kinds(), config.source_kind, "source");
}

const SinkKind& sink_kind(const Config& config) {
  return find_kind(sink_kinds(), config.sink_kind, "sink");
}

}  // namespace gd2s
