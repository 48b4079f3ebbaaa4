#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include "app/commands.h"
#include "app/config.h"
#include "app/logging.h"
#include "app/summary.h"
#include "aws/credential_providers.h"
#include "aws/s3_client.h"
#include "aws/sqs_client.h"
#include "azure/azure_auth.h"
#include "http/curl_client.h"
#include "pipeline/pipeline.h"
#include "sinks/data_collector_sink.h"
#include "sinks/dead_letter_file.h"
#include "sinks/file_sink.h"
#include "sinks/logs_ingestion_sink.h"
#include "sources/file_source.h"
#include "sources/s3_listing_source.h"
#include "sources/sqs_source.h"
#include "state/sqlite_store.h"

namespace gd2s {
namespace {

// SIGINT/SIGTERM are taken by one thread with sigwait, so the pipeline is stopped from normal
// code rather than from a signal handler. A second signal exits at once: uncommitted units are
// then simply read again on the next run.
class SignalWatcher {
 public:
  explicit SignalWatcher(Pipeline& pipeline) {
    // run_command blocked these before any thread started; this thread only waits for them.
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    thread_ = std::thread([this, &pipeline] {
      int seen = 0;
      timespec tick{0, 200'000'000};
      while (!done_.load()) {
        int sig = sigtimedwait(&set_, nullptr, &tick);
        if (sig < 0) continue;
        if (++seen == 1) {
          spdlog::info("{}: stopping; delivering what is in flight, then committing",
                       sig == SIGTERM ? "SIGTERM" : "SIGINT");
          pipeline.stop();
        } else {
          spdlog::warn("second signal: exiting now; uncommitted units are read again next run");
          std::fflush(nullptr);
          std::_Exit(kExitFailure);
        }
      }
    });
  }
  ~SignalWatcher() {
    done_.store(true);
    thread_.join();
  }
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  sigset_t set_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// What the configured source needs, kept alive for the run.
struct SourceParts {
  http::HttpClientPtr http;
  std::unique_ptr<aws::S3Client> s3;
  std::unique_ptr<aws::SqsClient> sqs;
  std::unique_ptr<Source> source;
  std::string description;
};

http::HttpOptions http_options(const HttpConfig& config) {
  http::HttpOptions options;
  options.ca_file = config.ca_file;
  options.verify_tls = config.verify_tls;
  options.proxy = config.proxy;
  options.connect_timeout = config.connect_timeout;
  options.timeout = config.timeout;
  return options;
}

aws::EndpointOverrides endpoints(const AwsConfig& aws) {
  return {aws.s3_endpoint, aws.sqs_endpoint, aws.sts_endpoint, aws.guardduty_endpoint};
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
  const std::string& region =
      config.sqs_source ? config.sqs_source->region : config.s3_listing_source->region;
  aws::ChainOptions chain;
  chain.profile = config.aws.profile;
  chain.role_arn = config.aws.role_arn;
  chain.external_id = config.aws.external_id;
  chain.region = region;
  chain.endpoints = endpoints(config.aws);
  auto credentials = aws::make_default_chain(chain, parts.http);
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
  S3ListingOptions listing{s3.bucket,
                           s3.prefix,
                           s3.interval,
                           s3.since,
                           s3.accounts,
                           s3.regions,
                           s3.shard_index,
                           s3.shard_count,
                           static_cast<size_t>(s3.max_concurrent_objects),
                           once};
  parts.source = std::make_unique<S3ListingSource>(listing, *parts.s3, state);
  parts.description = "s3_listing (s3://" + s3.bucket + "/" + s3.prefix + ", " + s3.region +
                      (once ? ", one pass" : ", every " + format_duration(s3.interval)) + ")";
  return parts;
}

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

// The keys both Azure sinks share, as the batch sender takes them.
template <typename SinkConfig>
HttpBatchSinkOptions batching_options(const SinkConfig& sink) {
  HttpBatchSinkOptions batching;
  batching.max_batch_bytes = static_cast<size_t>(sink.max_batch_bytes);
  batching.concurrency = static_cast<size_t>(sink.concurrency);
  batching.backoff.cap = sink.max_retry_delay;
  return batching;
}

// The configured sink, and how to describe it in the start-up line.
struct SinkParts {
  std::unique_ptr<Sink> sink;
  std::string description;
};

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

}  // namespace

int run_command(const RunOptions& options) {
  // Signals must be blocked before any thread starts, so every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  Config config;
  try {
    config = load_config(options.config_path);
  } catch (const ConfigError& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return kExitUsage;
  }
  setup_logging(config.log.level, config.log.format);

  try {
    SqliteStateStore state(config.state.path);
    DeadLetterFile dead_letters(config.dead_letter.path);
    http::HttpClientPtr http = http::make_curl_client(http_options(config.http));
    SinkParts sink_parts = make_sink(config, http);
    Sink& sink = *sink_parts.sink;
    SourceParts parts = make_source(config, state, options.once, http);
    Source& source = *parts.source;
    SchemaPtr schema = make_schema(config.transform.schema);
    FindingFilter filter(config.transform.filter);
    Dedupe dedupe(state, config.transform.dedupe_window);
    if (uint64_t pruned = dedupe.prune(); pruned > 0)
      spdlog::debug("dedupe window: forgot {} versions older than {}", pruned,
                    format_duration(config.transform.dedupe_window));

    PipelineOptions pipeline_options;
    pipeline_options.workers = std::max(1u, std::thread::hardware_concurrency());
    Pipeline pipeline(source, sink, dead_letters, *schema, filter, dedupe, pipeline_options);
    spdlog::info("run: source {}, schema {}, sink {}", parts.description, schema->name(),
                 sink_parts.description);
    {
      SignalWatcher watcher(pipeline);
      pipeline.run();
    }
    SourceTotals totals = source.totals();
    const PipelineStats& stats = pipeline.stats();
    spdlog::info(
        "done: {} records read, {} rows written, {} filtered, {} duplicates, "
        "{} dead letters; {} of {} units committed",
        stats.records_read.load(), stats.rows_accepted.load(), stats.filtered.load(),
        stats.duplicates.load(), stats.dead_letters.load(), totals.units_committed,
        totals.units_opened);
    if (options.summary) std::fprintf(stderr, "\n%s", format_summary(stats, totals).c_str());
    if (totals.units_committed != totals.units_opened) {
      spdlog::error("{} units were not committed; they are read again on the next run",
                    totals.units_opened - totals.units_committed);
      return kExitFailure;
    }
    return kExitOk;
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
    return kExitFailure;
  }
}

}  // namespace gd2s
