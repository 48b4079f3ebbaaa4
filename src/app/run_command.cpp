#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <thread>

#include "app/commands.h"
#include "app/components.h"
#include "app/config.h"
#include "app/file_permissions.h"
#include "app/logging.h"
#include "app/metrics_server.h"
#include "app/process_metrics.h"
#include "app/progress.h"
#include "app/prometheus_text.h"
#include "app/summary.h"
#include "http/curl_client.h"
#include "pipeline/pipeline.h"
#include "sinks/dead_letter_file.h"
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
    print_error(error.what());
    return kExitUsage;
  }
  const auto started = std::chrono::system_clock::now();
  setup_logging(config.log.level,
                options.log_format.empty() ? config.log.format : options.log_format);
  for (const std::string& warning : permission_warnings(config, options.config_path))
    spdlog::warn("{}", warning);
  for (const std::string& warning : config.warnings) spdlog::warn("{}", warning);

  try {
    SqliteStateStore state(config.state.path);
    DeadLetterFile dead_letters(config.dead_letter.path,
                                {static_cast<size_t>(config.dead_letter.max_original_bytes),
                                 static_cast<uint64_t>(config.dead_letter.max_file_bytes)});
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
    pipeline_options.reader.max_kept_bytes =
        static_cast<size_t>(config.dead_letter.max_original_bytes);
    Pipeline pipeline(source, sink, dead_letters, *schema, filter, dedupe, pipeline_options);
    // The sink's senders report to the pipeline: however this scope ends, they are stopped
    // (requests in flight answered or abandoned) before the pipeline and the source go.
    struct SinkStopper {
      Sink& sink;
      ~SinkStopper() { sink.stop(); }
    } sink_stopper{sink};
    // Declared after what it reads, so it stops serving before they go.
    std::unique_ptr<MetricsServer> metrics;
    if (!config.metrics.listen.empty())
      metrics = std::make_unique<MetricsServer>(
          config.metrics.listen,
          [&] {
            PrometheusText text;
            pipeline.write_metrics(text);
            source.write_metrics(text);
            sink.write_metrics(text);
            write_process_metrics(text, started);
            return text.text();
          },
          [&] { return pipeline.ready(config.metrics.ready_window); });
    spdlog::info("run: source {}, schema {}, sink {}", parts.description, schema->name(),
                 sink_parts.description);
    // A one-pass run must read everything it listed; a service hands back what it could not
    // read (the next listing pass, or the queue's redrive) and has only to finish what it began.
    const bool one_pass = options.once || config.files_source.has_value();
    {
      SignalWatcher watcher(pipeline);
      // A one-pass run on a terminal is a backfill someone watches: a redrawn line. Otherwise
      // progress goes to the log every [log] progress_interval.
      bool backfill = one_pass;
      ProgressReporter progress(source, pipeline.stats(), backfill && isatty(STDERR_FILENO) != 0,
                                config.log.progress_interval);
      pipeline.run();
    }
    // Every committed unit wrote its versions as it committed; these are the rest the sink
    // accepted (units left uncommitted by a stop), so that a restart does not send them again.
    dedupe.flush();
    SourceTotals totals = source.totals();
    const PipelineStats& stats = pipeline.stats();
    spdlog::info(
        "done: {} records read, {} rows written, {} filtered, {} duplicates, "
        "{} dead letters; {} of {} units committed",
        stats.records_read.load(), stats.rows_accepted.load(), stats.filtered.load(),
        stats.duplicates.load(), stats.dead_letters.load(), totals.units_committed,
        totals.units_opened);
    if (options.summary) std::fprintf(stderr, "\n%s", format_summary(stats, totals).c_str());
    uint64_t finished = totals.units_committed + totals.units_abandoned;
    if (finished < totals.units_opened) {
      spdlog::error("{} units were not committed; they are read again on the next run",
                    totals.units_opened - finished);
      return kExitFailure;
    }
    if (one_pass && totals.units_abandoned > 0) {
      spdlog::error("{} units could not be read to the end; they are read again on the next run",
                    totals.units_abandoned);
      return kExitFailure;
    }
    return kExitOk;
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
    return kExitFailure;
  }
}

}  // namespace gd2s
