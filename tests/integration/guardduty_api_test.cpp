// The guardduty_api source against the stand-in's GuardDuty API (tools/aws-standin/guardduty.mjs,
// behind the SigV4-checking proxy): every finding once across detectors, Regions and pages; runs
// that find nothing new; only newer findings on the next run; a stop and a restart; a detector
// that goes away; and, through the binary, the config, the default `since` and AccessDenied.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>

#include "app/prometheus_text.h"
#include "aws/credential_providers.h"
#include "http/curl_client.h"
#include "pipeline/pipeline.h"
#include "sinks/dead_letter_file.h"
#include "sinks/file/sink.h"
#include "sources/guardduty_api/source.h"
#include "state/sqlite_store.h"
#include "support/aws_standin.h"
#include "support/aws_standin_suite.h"
#include "support/background_run.h"
#include "support/config_text.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;
using test::AwsStandin;

const std::vector<std::string> kRegions{"us-east-1", "eu-west-1", "ap-southeast-2"};

// The time of finding number `i` of a seed: spread over days, every tenth shares the time of
// the one before (ties at page boundaries).
std::string updated_at(int i, int day = 1) {
  int step = i - (i % 10 == 9 ? 1 : 0);
  auto t =
      std::chrono::sys_days{std::chrono::year{2026} / 3 / day} + std::chrono::minutes(37 * step);
  return format_iso8601(
      Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch())});
}

// `count` findings "<prefix>-<n>" as GetFindings returns them (additionalInfo {value, type}).
std::string findings_json(const std::string& prefix, int count, int day = 1, int first = 0) {
  std::string out = "[";
  for (int i = first; i < first + count; ++i) {
    std::string f = test::finding_json(prefix + "-" + std::to_string(i), updated_at(i, day));
    f.replace(f.find(R"("service":{)"), 11,
              R"("service":{"archived":false,"additionalInfo":{"value":"{}","type":"default"},)");
    out += (i == first ? "" : ",") + f;
  }
  return out + "]";
}

std::string sample_finding_json(const std::string& id) {
  std::string f = test::finding_json(id, updated_at(3));
  f.replace(f.find(R"("service":{)"), 11,
            R"("service":{"additionalInfo":{"value":"{\"sample\":true}","type":"default"},)");
  return "[" + f + "]";
}

class GuardDutyApi : public test::AwsStandinSuite {
 protected:
  // Detectors live in three Regions.
  static void SetUpTestSuite() { standin_ = new AwsStandin({kRegions[1], kRegions[2]}); }
  void SetUp() override { standin_->purge(); }

  struct Outcome {
    std::multiset<std::string> ids;
    SourceTotals totals;
    uint64_t empty_regions = 0, vanished = 0, filtered = 0;
    std::string error;
    std::string metrics;
  };

  // One run of the source through the pipeline into a file sink; the state store is `name`'s,
  // kept across runs. `stop_after_rows` stops the pipeline once the sink has that many rows.
  Outcome run(const std::string& name, const std::function<void(GuardDutyApiOptions&)>& adjust,
              size_t stop_after_rows = 0) {
    auto http = http::make_curl_client({});
    auto credentials = aws::make_environment_provider([](const std::string& variable) {
      if (variable == "AWS_ACCESS_KEY_ID") return std::string(AwsStandin::kAccessKeyId);
      if (variable == "AWS_SECRET_ACCESS_KEY") return std::string(AwsStandin::kSecretAccessKey);
      return std::string();
    });
    std::vector<std::unique_ptr<aws::GuardDutyClient>> owned;
    std::vector<aws::GuardDutyClient*> clients;
    for (const std::string& region : kRegions) {
      aws::GuardDutySettings settings{region, {}, {5ms, 50ms, 4}};
      settings.endpoints.guardduty = standin_->endpoint();
      owned.push_back(std::make_unique<aws::GuardDutyClient>(http, credentials, settings));
      clients.push_back(owned.back().get());
    }
    GuardDutyApiOptions options;
    options.regions = kRegions;
    options.since = *parse_iso8601("2026-01-01T00:00:00Z");
    options.once = true;
    if (adjust) adjust(options);
    std::string out = dir_.file("out-" + name + "-" + std::to_string(++runs_) + ".jsonl");
    Outcome outcome;
    {
      SqliteStateStore state(dir_.file("state-" + name + ".db"));
      DeadLetterFile dead_letters(dir_.file("dead-" + name + ".jsonl"));
      FileSink file(out);
      struct StoppingSink final : Sink {
        explicit StoppingSink(Sink& inner) : inner_(inner) {}
        std::string_view name() const override { return "stopping"; }
        void send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) override {
          rows_ += rows.size();
          inner_.send(std::move(rows), receiver);
          if (limit_ > 0 && rows_ >= limit_ && pipeline_ != nullptr) pipeline_->stop();
        }
        void flush() override { inner_.flush(); }
        Sink& inner_;
        size_t rows_ = 0, limit_ = 0;
        Pipeline* pipeline_ = nullptr;
      } sink(file);
      GuardDutyApiSource source(options, clients, state);
      auto schema = make_schema("native");
      FindingFilter filter(FilterOptions{});
      Dedupe dedupe(state, 168h);
      PipelineOptions pipeline_options;
      pipeline_options.batch_rows = 20;
      Pipeline pipeline(source, sink, dead_letters, *schema, filter, dedupe, pipeline_options);
      sink.limit_ = stop_after_rows;
      sink.pipeline_ = &pipeline;
      try {
        pipeline.run();
      } catch (const std::exception& e) {
        outcome.error = e.what();
      }
      outcome.totals = source.totals();
      outcome.empty_regions = source.counters().empty_regions.load();
      outcome.vanished = source.counters().vanished_detectors.load();
      outcome.filtered = pipeline.stats().filtered.load();
      PrometheusText metrics;
      source.write_metrics(metrics);
      outcome.metrics = metrics.text();
    }
    simdjson::dom::parser parser;
    if (std::filesystem::exists(out))
      for (const std::string& line : test::read_lines(out))
        outcome.ids.insert(std::string(std::string_view(parser.parse(line)["Id"])));
    return outcome;
  }

  int64_t watermark(const std::string& name, const std::string& region,
                    const std::string& detector) {
    SqliteStateStore state(dir_.file("state-" + name + ".db"));
    auto cp =
        state.checkpoint("guardduty_api", GuardDutyApiSource::checkpoint_key(region, detector));
    return cp ? std::stoll(cp->version) : -1;
  }

  static int64_t ms(const std::string& iso) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               parse_iso8601(iso)->time_since_epoch())
        .count();
  }

  test::TempDir dir_;
  int runs_ = 0;
};

std::set<std::string> ids_of(const std::string& prefix, int count, int first = 0) {
  std::set<std::string> ids;
  for (int i = first; i < first + count; ++i) ids.insert(prefix + "-" + std::to_string(i));
  return ids;
}

TEST_F(GuardDutyApi, EveryFindingArrivesOnceThenNothingNewThenOnlyTheNewerOnes) {
  std::string east = standin_->create_detector(kRegions[0]);
  std::string west = standin_->create_detector(kRegions[1]);
  standin_->put_findings(east, findings_json("e", 170));
  standin_->put_findings(west, findings_json("w", 130));
  standin_->put_findings(west, sample_finding_json("sample"));
  standin_->put_findings(east,
                         R"([)" + test::finding_json("too-old", "2025-12-31T23:59:59.999Z") + "]");

  Outcome first = run("all", nullptr);
  EXPECT_EQ(first.error, "");
  std::set<std::string> want = ids_of("e", 170);
  want.merge(ids_of("w", 130));
  std::set<std::string> got(first.ids.begin(), first.ids.end());
  EXPECT_EQ(got, want) << "every finding once; the sample finding filtered; nothing before since";
  EXPECT_EQ(first.ids.size(), 300u) << "no finding twice";
  EXPECT_EQ(first.filtered, 1u)
      << "additionalInfo {\"value\":\"{\\\"sample\\\":true}\"} is a sample";
  EXPECT_EQ(first.totals.units_committed, first.totals.units_opened);
  EXPECT_GE(first.totals.units_opened, 7u) << "pages of at most 50";
  EXPECT_EQ(first.empty_regions, 1u) << kRegions[2] << " has no detector";
  EXPECT_EQ(watermark("all", kRegions[0], east), ms(updated_at(169)));
  EXPECT_EQ(watermark("all", kRegions[1], west), ms(updated_at(129)));
  EXPECT_NE(first.metrics.find("gd2sentinel_guardduty_findings_total 301\n"), std::string::npos)
      << first.metrics;
  EXPECT_NE(first.metrics.find("gd2sentinel_guardduty_watermark_timestamp_seconds{region=\"" +
                               std::string(kRegions[0]) + "\",detector=\"" + east + "\"} "),
            std::string::npos)
      << first.metrics;

  Outcome again = run("all", nullptr);
  EXPECT_EQ(again.error, "");
  EXPECT_TRUE(again.ids.empty()) << "what is re-read at the boundary is already delivered";

  standin_->put_findings(east, findings_json("e", 10, 20, 1000));
  standin_->put_findings(west, findings_json("w", 5, 21, 2000));
  std::string updated = test::finding_json("e-7", "2026-03-25T00:00:00.000Z");
  standin_->put_findings(east, "[" + updated + "]");
  Outcome newer = run("all", nullptr);
  std::set<std::string> want_newer = ids_of("e", 10, 1000);
  want_newer.merge(ids_of("w", 5, 2000));
  want_newer.insert("e-7");
  EXPECT_EQ(std::set<std::string>(newer.ids.begin(), newer.ids.end()), want_newer);
  EXPECT_EQ(newer.ids.size(), want_newer.size());
}

TEST_F(GuardDutyApi, AStopBetweenPagesThenARestartLosesNothing) {
  std::string east = standin_->create_detector(kRegions[0]);
  std::string west = standin_->create_detector(kRegions[1]);
  standin_->put_findings(east, findings_json("e", 220));
  standin_->put_findings(west, findings_json("w", 180));
  // Pages come slowly, so the sink's rows stop the run while the source is still paging.
  standin_->add_fault(R"({"operation":"^GetFindings$","action":"delay","delayMs":150})");
  Outcome stopped = run(
      "stop", [](GuardDutyApiOptions& o) { o.lookback = 0s; }, 60);
  EXPECT_EQ(stopped.error, "");
  EXPECT_GT(stopped.ids.size(), 0u);
  EXPECT_LT(stopped.ids.size(), 400u) << "the stop came before the end";
  EXPECT_EQ(stopped.totals.units_committed, stopped.totals.units_opened)
      << "pages handed out are delivered before the run ends";
  EXPECT_LT(watermark("stop", kRegions[0], east), ms(updated_at(219)));

  standin_->clear_faults();
  Outcome rest = run("stop", [](GuardDutyApiOptions& o) { o.lookback = 0s; });
  EXPECT_EQ(rest.error, "");
  std::set<std::string> all(stopped.ids.begin(), stopped.ids.end());
  all.insert(rest.ids.begin(), rest.ids.end());
  std::set<std::string> want = ids_of("e", 220);
  want.merge(ids_of("w", 180));
  EXPECT_EQ(all, want);
  EXPECT_EQ(stopped.ids.size() + rest.ids.size(), 400u) << "nothing delivered twice";
  EXPECT_EQ(watermark("stop", kRegions[0], east), ms(updated_at(219)));
}

TEST_F(GuardDutyApi, ADetectorThatGoesAwayIsSkippedAndAConfiguredOneThatDoesNotExistFails) {
  std::string east = standin_->create_detector(kRegions[0]);
  std::string west = standin_->create_detector(kRegions[1]);
  standin_->put_findings(east, findings_json("e", 30));
  standin_->put_findings(west, findings_json("w", 30));
  // Listed by ListDetectors, gone by ListFindings: as AWS answers for a detector not (or no
  // longer) in the account.
  standin_->add_fault(
      R"({"operation":"^ListFindings$","path":"^/detector/)" + east +
      R"(/","action":"status","status":400,"code":"BadRequestException","message":"The request is rejected because the input detectorId is not owned by the current account.","times":1})");
  Outcome vanished = run("vanish", nullptr);
  EXPECT_EQ(vanished.error, "") << "a detector that went away is not a failure";
  EXPECT_EQ(vanished.vanished, 1u);
  EXPECT_EQ(std::set<std::string>(vanished.ids.begin(), vanished.ids.end()), ids_of("w", 30));

  std::set<std::string> want_east = ids_of("e", 30);
  Outcome configured = run("configured", [&](GuardDutyApiOptions& o) {
    o.detector_ids = {kRegions[0] + "/" + east, kRegions[1] + "/0123456789abcdef0123456789abcdef"};
  });
  EXPECT_NE(configured.error.find("0123456789abcdef0123456789abcdef"), std::string::npos)
      << configured.error;
  EXPECT_NE(configured.error.find("list-detectors"), std::string::npos) << configured.error;
  // The failure stops the pipeline: what was read and not yet delivered stays uncommitted, and
  // the next run (the detector_ids entry fixed) delivers it.
  std::set<std::string> before(configured.ids.begin(), configured.ids.end());
  EXPECT_TRUE(std::includes(want_east.begin(), want_east.end(), before.begin(), before.end()));
  Outcome fixed = run("configured",
                      [&](GuardDutyApiOptions& o) { o.detector_ids = {kRegions[0] + "/" + east}; });
  EXPECT_EQ(fixed.error, "");
  before.insert(fixed.ids.begin(), fixed.ids.end());
  EXPECT_EQ(before, want_east) << "nothing lost";
}

TEST_F(GuardDutyApi, ThrottlingAndBrokenAnswersAreRetried) {
  std::string east = standin_->create_detector(kRegions[0]);
  standin_->put_findings(east, findings_json("e", 120));
  standin_->add_fault(R"({"operation":"^ListFindings$","action":"status","status":429,"times":2})");
  standin_->add_fault(R"({"operation":"^GetFindings$","action":"status","status":500,"times":1})");
  standin_->add_fault(
      R"({"operation":"^GetFindings$","action":"close-mid-body","afterBytes":100,"times":1})");
  Outcome outcome = run("retry", nullptr);
  EXPECT_EQ(outcome.error, "");
  EXPECT_EQ(std::set<std::string>(outcome.ids.begin(), outcome.ids.end()), ids_of("e", 120));
  EXPECT_EQ(outcome.ids.size(), 120u);
}

// --- through the binary: config, components, exit status -----------------------------------

test::ProcessResult run_gd2sentinel(const std::vector<std::string>& args, const std::string& home) {
  test::BackgroundRun run(args, AwsStandin::binary_environment({"HOME=" + home}));
  test::ProcessResult result;
  result.status = run.wait();
  result.out = run.out();
  result.err = run.err();
  return result;
}

TEST_F(GuardDutyApi, TheBinaryReadsTheLastNinetyDaysAndAccessDeniedEndsTheRunWithOne) {
  std::string east = standin_->create_detector(kRegions[0]);
  auto days_ago = [](int days) { return format_iso8601(now_utc() - std::chrono::days(days)); };
  standin_->put_findings(east, "[" + test::finding_json("recent", days_ago(80)) + "," +
                                   test::finding_json("expired", days_ago(100)) + "]");
  std::string out = dir_.file("binary.jsonl");
  test::ConfigText()
      .guardduty_api_source({kRegions[0], kRegions[2]})
      .table("aws")
      .set_string("guardduty_endpoint", standin_->endpoint())
      .file_sink(out)
      .dead_letters(dir_.file("binary-dead.jsonl"))
      .state(dir_.file("binary.db"))
      .write(dir_.file("api.toml"));
  std::vector<std::string> args{"run", "--config", dir_.file("api.toml"), "--once"};
  test::ProcessResult ok = run_gd2sentinel(args, dir_.path().string());
  EXPECT_EQ(ok.status, 0) << ok.err;
  std::vector<std::string> rows = test::read_lines(out);
  ASSERT_EQ(rows.size(), 1u) << "only the finding of the last 90 days";
  EXPECT_NE(rows[0].find("\"recent\""), std::string::npos);

  standin_->put_findings(east, "[" + test::finding_json("later", days_ago(1)) + "]");
  standin_->add_fault(R"({"service":"guardduty","operation":"^GetFindings$","action":"deny"})");
  test::ProcessResult denied = run_gd2sentinel(args, dir_.path().string());
  EXPECT_EQ(denied.status, 1) << denied.err;
  EXPECT_NE(denied.err.find("guardduty:GetFindings"), std::string::npos) << denied.err;
  EXPECT_NE(denied.err.find(east), std::string::npos) << "the error names the detector";
  EXPECT_EQ(test::read_lines(out).size(), 1u);

  standin_->clear_faults();
  test::ProcessResult fixed = run_gd2sentinel(args, dir_.path().string());
  EXPECT_EQ(fixed.status, 0) << fixed.err;
  EXPECT_EQ(test::read_lines(out).size(), 2u) << "the denied finding arrives once it is allowed";
}

}  // namespace
}  // namespace gd2s
