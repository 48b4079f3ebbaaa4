// Both Azure sinks against the workspace emulator (tools/workspace-emulator) over HTTPS, with a
// real Entra ID client-secret token: rows arrive unchanged, faults lose nothing, a refused
// record is bisected to the dead letters, and the errors a person must act on stop the sink.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <set>

#include "azure/azure_auth.h"
#include "http/curl_client.h"
#include "pipeline/pipeline.h"
#include "sinks/data_collector/sink.h"
#include "sinks/dead_letter_file.h"
#include "sinks/file/sink.h"
#include "sinks/logs_ingestion/protocol.h"
#include "sources/files/source.h"
#include "state/sqlite_store.h"
#include "support/sink_testing.h"
#include "support/workspace_emulator.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;
using test::WorkspaceEmulator;

// A JSON value with object keys sorted, so rows compare whatever order the keys came in.
void canonical(simdjson::dom::element value, std::string& out) {
  if (value.is_object()) {
    std::vector<std::pair<std::string_view, simdjson::dom::element>> members;
    simdjson::dom::object object = value.get_object().value();
    for (auto [key, member] : object) members.emplace_back(key, member);
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    out += '{';
    for (size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out += ',';
      out += '"' + std::string(members[i].first) + "\":";
      canonical(members[i].second, out);
    }
    out += '}';
  } else if (value.is_number()) {
    out += std::to_string(value.get_double().value());  // 5 and 5.0 are the same real
  } else {
    out += simdjson::minify(value);
  }
}

std::multiset<std::string> canonical_rows(const std::vector<std::string>& rows) {
  simdjson::dom::parser parser;
  std::multiset<std::string> out;
  for (const std::string& row : rows) {
    std::string text;
    canonical(parser.parse(row).value(), text);
    out.insert(text);
  }
  return out;
}

class AzureSinks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { emulator_ = new WorkspaceEmulator(); }
  static void TearDownTestSuite() {
    delete emulator_;
    emulator_ = nullptr;
  }
  void SetUp() override {
    emulator_->clear_faults();
    emulator_->clear_tables();
  }

  static http::HttpClientPtr http(const WorkspaceEmulator& emulator) {
    http::HttpOptions options;
    options.ca_file = emulator.ca_file();
    options.timeout = 10s;
    return http::make_curl_client(options);
  }

  static std::unique_ptr<HttpBatchSink> logs_ingestion(const WorkspaceEmulator& emulator,
                                                       const std::string& stream,
                                                       size_t max_batch_bytes = 1024 * 1024,
                                                       std::string secret = "") {
    azure::AzureAuthOptions auth =
        emulator.client_secret_auth(secret.empty() ? WorkspaceEmulator::kClientSecret : secret);
    auto client = http(emulator);
    HttpBatchSinkOptions options;
    options.max_batch_bytes = max_batch_bytes;
    options.backoff.base = 10ms;
    options.backoff.cap = 200ms;
    return std::make_unique<HttpBatchSink>(
        std::make_unique<LogsIngestionProtocol>(
            LogsIngestionOptions{emulator.url(), WorkspaceEmulator::kDcr, stream, 6},
            azure::make_token_provider(auth, client)),
        client, options);
  }

  // The rows the pipeline makes of examples/AWSLogs with `schema`, through `sink`.
  struct Run {
    std::string error;
    std::vector<std::string> dead_letters;
    SourceTotals totals;
  };
  Run run_examples(Sink& sink, const std::string& schema_name) {
    Run run;
    SqliteStateStore state(dir_.file("state-" + std::to_string(runs_) + ".db"));
    std::string dead = dir_.file("dead-" + std::to_string(runs_++) + ".jsonl");
    {
      DeadLetterFile dead_letters(dead);
      FileSource source(FileSourceOptions{{test::source_dir() + "/examples/AWSLogs"}, {"*.gz"}},
                        state);
      auto schema = make_schema(schema_name);
      FindingFilter filter(FilterOptions{});
      Dedupe dedupe(state, 168h);
      Pipeline pipeline(source, sink, dead_letters, *schema, filter, dedupe, {});
      try {
        pipeline.run();
      } catch (const std::exception& e) {
        run.error = e.what();
      }
      run.totals = source.totals();
    }
    if (std::filesystem::exists(dead)) run.dead_letters = test::read_lines(dead);
    return run;
  }

  std::vector<std::string> expected_rows(const std::string& schema) {
    std::string path = dir_.file("expected-" + schema + ".jsonl");
    FileSink sink(path);
    Run run = run_examples(sink, schema);
    EXPECT_EQ(run.error, "");
    return test::read_lines(path);
  }

  // `count` native rows with distinct Ids, made from the examples.
  std::vector<std::string> many_rows(size_t count) {
    std::vector<std::string> examples = expected_rows("native");
    std::vector<std::string> rows;
    for (size_t i = 0; i < count; ++i) {
      std::string row = examples[i % examples.size()];
      size_t at = row.find("\"Id\":\"") + 6;
      row.insert(at, "copy" + std::to_string(i) + "-");
      rows.push_back(row);
    }
    return rows;
  }

  static WorkspaceEmulator* emulator_;
  test::TempDir dir_;
  int runs_ = 0;
};

WorkspaceEmulator* AzureSinks::emulator_ = nullptr;

TEST_F(AzureSinks, TheExamplesArriveInAWSGuardDutyExactlyAsMapped) {
  std::vector<std::string> expected = expected_rows("native");
  ASSERT_GT(expected.size(), 20u);
  auto sink = logs_ingestion(*emulator_, WorkspaceEmulator::kNativeStream);
  Run run = run_examples(*sink, "native");
  ASSERT_EQ(run.error, "");
  EXPECT_EQ(run.totals.units_committed, run.totals.units_opened);
  EXPECT_TRUE(run.dead_letters.empty());
  EXPECT_EQ(canonical_rows(emulator_->rows("AWSGuardDuty")), canonical_rows(expected));
  // gzip on the wire, and every request under the limit.
  simdjson::dom::parser parser;
  std::string log = emulator_->requests("logs_ingestion");
  simdjson::dom::array requests = parser.parse(log).get_array().value();
  ASSERT_GT(requests.size(), 0u);
  for (simdjson::dom::element request : requests) {
    EXPECT_EQ(request["status"].get_int64().value(), 204);
    EXPECT_LE(request["body_bytes"].get_int64().value(), 1048576);
    EXPECT_LT(request["request_bytes"].get_int64().value(),
              request["body_bytes"].get_int64().value());
  }
}

TEST_F(AzureSinks, LegacyRowsArriveInAWSGuardDutyCL) {
  std::vector<std::string> expected = expected_rows("legacy");
  auto sink = logs_ingestion(*emulator_, WorkspaceEmulator::kLegacyStream);
  Run run = run_examples(*sink, "legacy");
  ASSERT_EQ(run.error, "");
  EXPECT_EQ(canonical_rows(emulator_->rows("AWSGuardDuty_CL")), canonical_rows(expected));
}

TEST_F(AzureSinks, AFaultScheduleLosesNothing) {
  emulator_->set_faults(R"([
    {"endpoint": "logs_ingestion", "status": 429, "retry_after": 1, "rate": 0.10},
    {"endpoint": "logs_ingestion", "status": 500, "rate": 0.05},
    {"endpoint": "logs_ingestion", "status": 503, "every": 7},
    {"endpoint": "logs_ingestion", "kind": "reset", "rate": 0.05},
    {"endpoint": "logs_ingestion", "kind": "slow", "delay_ms": 300, "rate": 0.1},
    {"endpoint": "token", "status": 503, "schedule": [1]}
  ])");
  std::vector<std::string> rows = many_rows(600);
  auto sink = logs_ingestion(*emulator_, WorkspaceEmulator::kNativeStream, 32 * 1024);
  test::RecordingReceiver receiver;
  for (size_t at = 0; at < rows.size(); at += 50)
    sink->send(test::make_rows({rows.begin() + static_cast<ptrdiff_t>(at),
                                rows.begin() + static_cast<ptrdiff_t>(at + 50)}),
               receiver);
  sink->flush();
  EXPECT_EQ(receiver.accepted_rows().size(), rows.size());
  EXPECT_TRUE(receiver.rejected_rows().empty());
  EXPECT_EQ(canonical_rows(emulator_->rows("AWSGuardDuty")), canonical_rows(rows));
  auto statuses = sink->counters().statuses();
  EXPECT_GT(statuses[429] + statuses[500] + statuses[503] + statuses[0], 0u);
}

TEST_F(AzureSinks, ARecordTheServiceRefusesIsBisectedToTheDeadLetters) {
  std::vector<std::string> rows = many_rows(40);
  std::string bad = rows[17];
  size_t at = bad.find("\"Severity\":");
  ASSERT_NE(at, std::string::npos);
  bad.replace(at, 11, R"("Severity":"very high","Ignored":)");  // int column, string value
  rows[17] = bad;
  auto sink = logs_ingestion(*emulator_, WorkspaceEmulator::kNativeStream);
  test::RecordingReceiver receiver;
  sink->send(test::make_rows(rows), receiver);
  sink->flush();
  auto rejected = receiver.rejected_rows();
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].first, bad);
  EXPECT_NE(rejected[0].second.find("HTTP 400"), std::string::npos) << rejected[0].second;
  EXPECT_NE(rejected[0].second.find("Severity"), std::string::npos) << rejected[0].second;
  EXPECT_EQ(receiver.accepted_rows().size(), 39u);
  EXPECT_EQ(emulator_->row_count("AWSGuardDuty"), 39);
}

TEST_F(AzureSinks, ARecordOverTheLimitGoesToTheDeadLettersAndTheRestFlows) {
  std::vector<std::string> rows = many_rows(5);
  std::string huge = rows[2];
  huge.insert(huge.find("\"Description\":\"") + 15, std::string(1100000, 'x'));
  rows[2] = huge;
  auto sink = logs_ingestion(*emulator_, WorkspaceEmulator::kNativeStream);
  test::RecordingReceiver receiver;
  sink->send(test::make_rows(rows), receiver);
  sink->flush();
  ASSERT_EQ(receiver.rejected_rows().size(), 1u);
  EXPECT_NE(receiver.rejected_rows()[0].second.find("at most 1048576 bytes"), std::string::npos);
  EXPECT_EQ(emulator_->row_count("AWSGuardDuty"), 4);
}

TEST_F(AzureSinks, A401IsAnsweredWithOneFreshToken) {
  emulator_->set_faults(R"([{"endpoint": "logs_ingestion", "status": 401, "schedule": [1]}])");
  auto sink = logs_ingestion(*emulator_, WorkspaceEmulator::kNativeStream);
  test::RecordingReceiver receiver;
  sink->send(test::make_rows(many_rows(3)), receiver);
  sink->flush();
  EXPECT_EQ(receiver.accepted_rows().size(), 3u);
  EXPECT_EQ(sink->counters().auth_renewals.load(), 1u);
  EXPECT_EQ(emulator_->row_count("AWSGuardDuty"), 3);
}

TEST_F(AzureSinks, A403StopsTheRunNamingTheRoleAndKeepsTheUnitsUncommitted) {
  emulator_->set_faults(R"([{"endpoint": "logs_ingestion", "status": 403}])");
  auto sink = logs_ingestion(*emulator_, WorkspaceEmulator::kNativeStream);
  Run run = run_examples(*sink, "native");
  EXPECT_NE(run.error.find("Monitoring Metrics Publisher"), std::string::npos) << run.error;
  EXPECT_LT(run.totals.units_committed, run.totals.units_opened);
  EXPECT_TRUE(run.dead_letters.empty());
}

TEST_F(AzureSinks, AWrongSecretStopsTheRunWithEntrasErrorAndNotTheSecret) {
  auto sink = logs_ingestion(*emulator_, WorkspaceEmulator::kNativeStream, 1024 * 1024,
                             "wrong-secret-4e1f9");
  Run run = run_examples(*sink, "native");
  EXPECT_NE(run.error.find("AADSTS7000215"), std::string::npos) << run.error;
  EXPECT_EQ(run.error.find("wrong-secret-4e1f9"), std::string::npos) << run.error;
  EXPECT_LT(run.totals.units_committed, run.totals.units_opened);  // only all-filtered ones
}

TEST(AzureSinksTooLarge, A413FromTheServiceSplitsTheRequest) {
  // The service's limit made smaller than the sink's, so the service has to say 413.
  WorkspaceEmulator emulator(R"("logs_ingestion": {"max_body_bytes": 20000})");
  azure::AzureAuthOptions auth = emulator.client_secret_auth();
  http::HttpOptions http_options;
  http_options.ca_file = emulator.ca_file();
  auto client = http::make_curl_client(http_options);
  HttpBatchSink sink(std::make_unique<LogsIngestionProtocol>(
                         LogsIngestionOptions{emulator.url(), WorkspaceEmulator::kDcr,
                                              WorkspaceEmulator::kNativeStream, 6},
                         azure::make_token_provider(auth, client)),
                     client, HttpBatchSinkOptions{});
  std::vector<std::string> rows;
  for (int i = 0; i < 200; ++i)
    rows.push_back(R"({"TimeGenerated":"2026-11-28T00:00:00Z","Id":"f)" + std::to_string(i) +
                   R"(","Title":")" + std::string(300, 't') + R"("})");
  test::RecordingReceiver receiver;
  sink.send(test::make_rows(rows), receiver);
  sink.flush();
  EXPECT_EQ(receiver.accepted_rows().size(), 200u);
  EXPECT_EQ(emulator.row_count("AWSGuardDuty"), 200);
  EXPECT_GT(sink.counters().statuses()[413], 0u);
  EXPECT_GT(sink.counters().splits.load(), 0u);
}

// The Data Collector API names columns itself; the legacy rows, suffixes taken off, must come
// back under the legacy schema's own column names.
TEST_F(AzureSinks, DataCollectorRowsLandUnderTheLegacyColumnNames) {
  std::vector<std::string> expected = expected_rows("legacy");
  DataCollectorOptions options;
  options.endpoint = emulator_->url();
  options.workspace_id = WorkspaceEmulator::kWorkspaceId;
  options.shared_key = Secret(WorkspaceEmulator::kSharedKey);
  // Its own record type: the emulator's AWSGuardDuty_CL is the DCR-based table of the Logs
  // Ingestion tests, and the Data Collector API adds no columns to such a table. A workspace
  // still on this API has a classic table, which takes every new column.
  options.log_type = "GuardDutyCollector";
  DataCollectorSink sink(options, http(*emulator_), HttpBatchSinkOptions{30000000, 2});
  Run run = run_examples(sink, "legacy");
  ASSERT_EQ(run.error, "");
  std::vector<std::string> stored = emulator_->rows("GuardDutyCollector_CL");
  ASSERT_EQ(stored.size(), expected.size());
  simdjson::dom::parser parser, parser2;
  // Legacy rows by finding version: the examples hold updates of the same finding.
  auto version = [](simdjson::dom::element row) {
    return std::string(std::string_view(row["id_s"])) + " " +
           std::string(std::string_view(row["updatedAt_t"]));
  };
  std::map<std::string, std::string> by_id;
  for (const std::string& row : expected) by_id[version(parser.parse(row).value())] = row;
  ASSERT_EQ(by_id.size(), expected.size());
  for (const std::string& row : stored) {
    simdjson::dom::element got_row = parser.parse(row).value();
    std::string id = version(got_row);
    simdjson::dom::object got = got_row.get_object().value();
    ASSERT_TRUE(by_id.count(id)) << id;
    simdjson::dom::object want = parser2.parse(by_id[id]).get_object().value();
    for (auto [key, value] : want) {
      std::string name(key);
      if (name == "TimeGenerated") {
        EXPECT_EQ(std::string_view(got["TimeGenerated"]).substr(0, 19),
                  std::string_view(value).substr(0, 19));
        continue;
      }
      // Sent once, as `severity`, which the service stores in Severity (tools/workspace-emulator
      // README: what the Data Collector API did with a top-level severity).
      if (name == "severity_d") name = "Severity";
      if (name == "AdditionalFields") name = "AdditionalFields_s";
      simdjson::dom::element stored_value;
      ASSERT_FALSE(got[name].get(stored_value)) << "no column " << name << " for " << key;
    }
  }
}

TEST_F(AzureSinks, DataCollectorWithAWrongKeyStopsWithoutShowingTheKey) {
  DataCollectorOptions options;
  options.endpoint = emulator_->url();
  options.workspace_id = WorkspaceEmulator::kWorkspaceId;
  options.shared_key = Secret("d3JvbmcgYnV0IHZhbGlkIGJhc2U2NCBrZXkgZm9yIHRoZSB0ZXN0cw==");
  DataCollectorSink sink(options, http(*emulator_), HttpBatchSinkOptions{30000000, 2});
  Run run = run_examples(sink, "legacy");
  EXPECT_NE(run.error.find("HTTP 403"), std::string::npos) << run.error;
  EXPECT_NE(run.error.find("shared_key"), std::string::npos) << run.error;
  EXPECT_EQ(run.error.find("d3JvbmcgYnV0"), std::string::npos);
  EXPECT_EQ(emulator_->row_count("AWSGuardDuty_CL"), 0);
}

}  // namespace
}  // namespace gd2s
