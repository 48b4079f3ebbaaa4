#include "app/components.h"

#include <spdlog/spdlog.h>

#include "aws/credential_providers.h"
#include "azure/azure_auth.h"
#include "sinks/data_collector_sink.h"
#include "sinks/file_sink.h"
#include "sinks/logs_ingestion_sink.h"
#include "sources/file_source.h"
#include "sources/guardduty_api_source.h"
#include "sources/s3_listing_source.h"
#include "sources/sqs_source.h"

namespace gd2s {
namespace {

aws::EndpointOverrides endpoints(const AwsConfig& aws) {
  return {aws.s3_endpoint, aws.sqs_endpoint, aws.sts_endpoint, aws.guardduty_endpoint};
}

// The keys both Azure sinks share, as the batch sender takes them.
template <typename SinkConfig>
HttpBatchSinkOptions batching_options(const SinkConfig& sink) {
  HttpBatchSinkOptions batching;
  batching.max_batch_bytes = static_cast<size_t>(sink.max_batch_bytes);
  batching.concurrency = static_cast<size_t>(sink.concurrency);
  batching.backoff.cap = sink.max_retry_delay;
  return batching;
}

SourceParts make_guardduty_api_source(const GuardDutyApiConfig& api,
                                      const aws::EndpointOverrides& endpoints,
                                      const aws::CredentialProviderPtr& credentials,
                                      StateStore& state, bool once, SourceParts parts) {
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
        parts.http, credentials, aws::GuardDutySettings{region, endpoints, {}}));
    clients.push_back(parts.guardduty.back().get());
  }
  parts.source = std::make_unique<GuardDutyApiSource>(options, clients, state);
  std::string regions;
  for (const std::string& region : api.regions) regions += (regions.empty() ? "" : ", ") + region;
  parts.description = "guardduty_api (" + regions +
                      (once ? ", one pass" : ", every " + format_duration(api.interval)) + ")";
  return parts;
}

}  // namespace

azure::AzureAuthOptions azure_auth_options(const AzureConfig& azure) {
  azure::AzureAuthOptions options;
  options.auth = azure.auth;
  options.cloud = azure.cloud;
  options.tenant_id = azure.tenant_id;
  options.client_id = azure.client_id;
  options.client_secret = azure.client_secret;
  options.certificate = azure.certificate;
  options.authority_host = azure.authority_host;
  options.scope = azure.scope;
  options.managed_identity_object_id = azure.managed_identity_object_id;
  options.managed_identity_resource_id = azure.managed_identity_resource_id;
  options.imds_endpoint = azure.imds_endpoint;
  return options;
}

azure::ResourceManager make_resource_manager(const AzureConfig& azure, http::HttpClientPtr http) {
  azure::CloudEndpoints cloud = azure::cloud_endpoints(azure.cloud);
  azure::AzureAuthOptions options = azure_auth_options(azure);
  options.scope = cloud.resource_manager + "/.default";
  std::string base =
      azure.resource_manager.empty() ? cloud.resource_manager : azure.resource_manager;
  return azure::ResourceManager(base, azure::make_token_provider(options, http), http);
}

http::HttpOptions http_options(const HttpConfig& config) {
  http::HttpOptions options;
  options.ca_file = config.ca_file;
  options.verify_tls = config.verify_tls;
  options.proxy = config.proxy;
  options.connect_timeout = config.connect_timeout;
  options.timeout = config.timeout;
  return options;
}

SourceParts make_source(const Config& config, StateStore& state, bool once,
                        http::HttpClientPtr http) {
  SourceParts parts;
  if (config.files_source) {
    parts.source = std::make_unique<FileSource>(
        FileSourceOptions{config.files_source->paths, config.files_source->include}, state);
    parts.description = "files (" + std::to_string(config.files_source->paths.size()) + " paths)";
    return parts;
  }
  parts.http = std::move(http);
  const std::string& region = config.sqs_source ? config.sqs_source->region
                              : config.s3_listing_source
                                  ? config.s3_listing_source->region
                                  : config.guardduty_api_source->regions.at(0);
  aws::ChainOptions chain;
  chain.profile = config.aws.profile;
  chain.role_arn = config.aws.role_arn;
  chain.external_id = config.aws.external_id;
  chain.region = region;
  chain.endpoints = endpoints(config.aws);
  auto credentials = aws::make_default_chain(chain, parts.http);
  parts.credentials = credentials;
  if (config.guardduty_api_source)
    return make_guardduty_api_source(*config.guardduty_api_source, chain.endpoints, credentials,
                                     state, once, std::move(parts));
  aws::S3Settings settings;
  settings.region = region;
  settings.endpoints = chain.endpoints;
  settings.path_style = config.aws.s3_path_style;
  parts.s3 = std::make_unique<aws::S3Client>(parts.http, credentials, settings);

  if (config.sqs_source) {
    const SqsConfig& q = *config.sqs_source;
    parts.sqs = std::make_unique<aws::SqsClient>(parts.http, credentials,
                                                 aws::SqsSettings{q.region, chain.endpoints, {}});
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

  const S3ListingConfig& s3 = *config.s3_listing_source;
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

SinkParts make_sink(const Config& config, http::HttpClientPtr http) {
  SinkParts parts;
  if (config.logs_ingestion_sink) {
    const LogsIngestionConfig& li = *config.logs_ingestion_sink;
    auto tokens = azure::make_token_provider(azure_auth_options(config.azure), http);
    LogsIngestionOptions options{li.endpoint, li.dcr_immutable_id, li.stream,
                                 static_cast<int>(li.gzip_level)};
    HttpBatchSinkOptions batching = batching_options(li);
    parts.description = "logs_ingestion (" + li.endpoint + ", " + li.dcr_immutable_id + "/" +
                        li.stream + ", " + tokens->describe() + ")";
    parts.sink = std::make_unique<HttpBatchSink>(
        std::make_unique<LogsIngestionProtocol>(std::move(options), std::move(tokens)),
        std::move(http), batching);
    return parts;
  }
  if (config.data_collector_sink) {
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
    HttpBatchSinkOptions batching = batching_options(dc);
    parts.description = "data_collector (" + options.endpoint + ", Log-Type " + dc.log_type + ")";
    parts.sink = std::make_unique<DataCollectorSink>(std::move(options), std::move(http), batching);
    return parts;
  }
  parts.sink = std::make_unique<FileSink>(config.file_sink->path);
  parts.description = "file " + config.file_sink->path;
  return parts;
}

}  // namespace gd2s
