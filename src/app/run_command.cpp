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
#include "pipeline/pipeline.h"
#include "sinks/dead_letter_file.h"
#include "sinks/file_sink.h"
#include "aws/credential_providers.h"
#include "aws/s3_client.h"
#include "http/curl_client.h"
#include "sources/file_source.h"
#include "sources/s3_listing_source.h"
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

SourceParts make_source(const Config& config, StateStore& state, bool once) {
  SourceParts parts;
  if (config.files_source) {
    parts.source = std::make_unique<FileSource>(
        FileSourceOptions{config.files_source->paths, config.files_source->include}, state);
    parts.description = "files (" + std::to_string(config.files_source->paths.size()) + " paths)";
    return parts;
  }
  const S3ListingConfig& s3 = *config.s3_listing_source;
  parts.http = http::make_curl_client(http_options(config.http));
  aws::ChainOptions chain;
  chain.profile = config.aws.profile;
  chain.role_arn = config.aws.role_arn;
  chain.external_id = config.aws.external_id;
  chain.region = s3.region;
  chain.endpoints = endpoints(config.aws);
  aws::S3Settings settings;
  settings.region = s3.region;
  settings.endpoints = chain.endpoints;
  settings.path_style = config.aws.s3_path_style;
  parts.s3 = std::make_unique<aws::S3Client>(parts.http, aws::make_default_chain(chain, parts.http),
                                             settings);
  S3ListingOptions listing{s3.bucket,   s3.prefix,      s3.interval,
                           s3.since,    s3.accounts,    s3.regions,
                           s3.shard_index, s3.shard_count,
                           static_cast<size_t>(s3.max_concurrent_objects), once};
  parts.source = std::make_unique<S3ListingSource>(listing, *parts.s3, state);
  parts.description = "s3_listing (s3://" + s3.bucket + "/" + s3.prefix + ", " + s3.region +
                      (once ? ", one pass" : ", every " + format_duration(s3.interval)) + ")";
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
    FileSink sink(config.file_sink->path);
    SourceParts parts = make_source(config, state, options.once);
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
    spdlog::info("run: source {}, schema {}, sink file {}", parts.description, schema->name(),
                 config.file_sink->path);
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
