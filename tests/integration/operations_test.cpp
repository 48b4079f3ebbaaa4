// Operating gd2sentinel: the metrics and health listener scraped while the binary ships from
// SQS to the workspace emulator through faults; JSON logs that name their unit; and known
// secrets that appear in no log line, metric or dead letter.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>

#include <map>
#include <regex>
#include <set>

#include "http/curl_client.h"
#include "support/aws_standin.h"
#include "support/aws_standin_suite.h"
#include "support/background_run.h"
#include "support/test_support.h"
#include "support/workspace_emulator.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;
using test::AwsStandin;
using test::WorkspaceEmulator;

std::string eventbridge(const std::string& id) {
  return R"({"version":"0","id":"5e1c0000-0000-4000-8000-000000000000","detail-type":"GuardDuty Finding","source":"aws.guardduty","account":"111122223333","time":"2026-03-01T00:00:00Z","region":"eu-west-1","resources":[],"detail":)" +
         test::finding_json(id, "2026-03-01T00:00:00.000Z") + "}";
}

// The value of the sample `series` (name and labels exactly as exposed), or -1.
double sample(const std::string& text, const std::string& series) {
  std::string needle = "\n" + series + " ";
  size_t at = ("\n" + text).find(needle);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + needle.size() - 1));
}

// Every line is a comment or `name{labels} value`; each family has one HELP and one TYPE
// before its samples; counters end in _total. Returns the problems.
std::vector<std::string> exposition_problems(const std::string& text) {
  static const std::regex sample_line(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+|NaN|[+-]Inf)$)");
  static const std::regex type_line(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge)$)");
  std::vector<std::string> problems;
  std::set<std::string> helped, typed;
  std::map<std::string, std::string> types;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (line.starts_with("# HELP ")) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      if (!helped.insert(name).second) problems.push_back("two HELP lines for " + name);
    } else if (std::regex_match(line, m, type_line)) {
      if (!typed.insert(m[1]).second) problems.push_back("two TYPE lines for " + m[1].str());
      types[m[1]] = m[2];
      if (m[2] == "counter" && !m[1].str().ends_with("_total"))
        problems.push_back("counter " + m[1].str() + " does not end in _total");
    } else if (std::regex_match(line, m, sample_line)) {
      if (!typed.count(m[1])) problems.push_back("sample before its TYPE: " + line);
    } else {
      problems.push_back("not exposition format: " + line);
    }
  }
  return problems;
}

class Operations : public test::AwsStandinSuite {
 protected:
  std::string config(const std::string& queue, const WorkspaceEmulator& emulator) {
    std::string path = dir_.file("gd2sentinel.toml");
    test::write_file(
        path, "[source.sqs]\nqueue_url = \"" + queue + "\"\nregion = \"" + standin_->region() +
                  "\"\nwait_time = \"1s\"\n[aws]\nsqs_endpoint = \"" + standin_->endpoint() +
                  "\"\ns3_endpoint = \"" + standin_->endpoint() +
                  "\"\ns3_path_style = true\n[sink.logs_ingestion]\nendpoint = \"" +
                  emulator.url() + "\"\ndcr_immutable_id = \"" + WorkspaceEmulator::kDcr +
                  "\"\nstream = \"" + WorkspaceEmulator::kNativeStream +
                  "\"\nmax_retry_delay = \"1s\"\n[azure]\nauth = \"client_secret\"\n"
                  "tenant_id = \"" +
                  WorkspaceEmulator::kTenant + "\"\nclient_id = \"" + WorkspaceEmulator::kClientId +
                  "\"\nclient_secret = \"env:GD2S_OPS_SECRET\"\nauthority_host = \"" +
                  emulator.url() + "\"\n[http]\nca_file = \"" + emulator.ca_file() +
                  "\"\n[dead_letter]\npath = \"" + dir_.file("dead.jsonl") +
                  "\"\n[state]\npath = \"" + dir_.file("state.db") +
                  "\"\n[metrics]\nlisten = \"127.0.0.1:0\"\nready_window = \"10s\"\n"
                  "[log]\nlevel = \"debug\"\n");
    return path;
  }

  std::vector<std::string> environment() {
    return AwsStandin::binary_environment(
        {std::string("GD2S_OPS_SECRET=") + WorkspaceEmulator::kClientSecret});
  }

  test::TempDir dir_;
};

TEST_F(Operations, MetricsHealthAndReadinessWhileShippingThroughFaults) {
  WorkspaceEmulator emulator;
  // The first ingestion request is throttled; the token endpoint fails once.
  emulator.set_faults(R"([
    {"endpoint": "logs_ingestion", "status": 429, "retry_after": 1, "schedule": [1]},
    {"endpoint": "token", "status": 503, "schedule": [1]}
  ])");
  std::string queue = standin_->create_queue("ops-metrics");
  for (int i = 0; i < 20; ++i) standin_->send_message(queue, eventbridge("m-" + std::to_string(i)));
  standin_->send_message(queue, R"({"neither": "a notification nor an event"})");

  test::BackgroundRun run({"run", "--config", config(queue, emulator)}, environment());
  std::string url;
  ASSERT_TRUE(test::wait_until(
      [&] {
        std::smatch m;
        std::string err = run.err();
        static const std::regex serving(R"(metrics: serving (http://127\.0\.0\.1:[0-9]+)/metrics)");
        if (!std::regex_search(err, m, serving)) return false;
        url = m[1];
        return true;
      },
      30s))
      << run.err();
  auto http = http::make_curl_client({});
  auto get = [&](const std::string& path) { return http->send({"GET", url + path, {}, "", 5s}); };
  const std::string labels = R"({source="sqs",sink="logs_ingestion"})";
  std::string text;
  ASSERT_TRUE(test::wait_until(
      [&] {
        text = get("/metrics").body;
        return sample(text, "gd2sentinel_records_sent_total" + labels) == 20 &&
               sample(text, "gd2sentinel_records_dead_lettered_total" + labels) == 1 &&
               sample(text, R"(gd2sentinel_sqs_deletes_total{result="ok"})") == 20;
      },
      60s))
      << text << run.err();

  EXPECT_EQ(exposition_problems(text), std::vector<std::string>{}) << text;
  EXPECT_EQ(sample(text, "gd2sentinel_records_read_total" + labels), 21) << text;
  EXPECT_EQ(sample(text, "gd2sentinel_records_pending" + labels), 0) << text;
  EXPECT_EQ(
      sample(text, R"(gd2sentinel_sink_http_responses_total{sink="logs_ingestion",code="429"})"), 1)
      << text;
  EXPECT_GE(
      sample(text, R"(gd2sentinel_sink_http_responses_total{sink="logs_ingestion",code="204"})"), 1)
      << text;
  EXPECT_GE(sample(text, R"(gd2sentinel_sink_retries_total{sink="logs_ingestion"})"), 1) << text;
  EXPECT_GE(sample(text, R"(gd2sentinel_sink_credential_renewals_total{sink="logs_ingestion"})"), 1)
      << text;
  EXPECT_GT(sample(text, R"(gd2sentinel_sink_wire_bytes_total{sink="logs_ingestion"})"), 0) << text;
  EXPECT_EQ(sample(text, R"(gd2sentinel_sqs_messages_total{kind="unknown"})"), 1) << text;
  EXPECT_GT(sample(text, "process_resident_memory_bytes"), 1e6) << text;
  EXPECT_GT(sample(text, "process_open_fds"), 3) << text;
  EXPECT_EQ(get("/healthz").status, 200);
  http::Response ready = get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;

  // The workspace stops accepting: once a row has waited longer than ready_window, /readyz
  // says so, while /healthz stays up; when it accepts again, ready again.
  emulator.set_faults(R"([{"endpoint": "logs_ingestion", "status": 503}])");
  standin_->send_message(queue, eventbridge("m-late"));
  ASSERT_TRUE(test::wait_until(
      [&] { return sample(get("/metrics").body, "gd2sentinel_records_pending" + labels) == 1; },
      30s));
  ASSERT_TRUE(test::wait_until([&] { return get("/readyz").status == 503; }, 30s));
  EXPECT_NE(get("/readyz").body.find("not ready: 1 records wait"), std::string::npos);
  EXPECT_EQ(get("/healthz").status, 200);
  emulator.clear_faults();
  ASSERT_TRUE(test::wait_until([&] { return get("/readyz").status == 200; }, 30s));
  text = get("/metrics").body;
  EXPECT_EQ(sample(text, "gd2sentinel_records_sent_total" + labels), 21) << text;
  EXPECT_GE(
      sample(text, R"(gd2sentinel_sink_http_responses_total{sink="logs_ingestion",code="503"})"), 1)
      << text;
  EXPECT_EQ(emulator.row_count("AWSGuardDuty"), 21);
  // The message it could not read is left to the queue's redrive policy, on purpose: a service
  // stopped by SIGTERM with nothing else in flight stops cleanly.
  EXPECT_EQ(run.stop(SIGTERM), 0) << run.err();
  EXPECT_EQ(run.err().find("not committed"), std::string::npos) << run.err();

  // Known secrets: in no log line (at debug level), metric or dead letter.
  std::string dead = test::read_file(dir_.file("dead.jsonl"));
  EXPECT_NE(dead.find("neither"), std::string::npos);
  for (const std::string& secret :
       {std::string(WorkspaceEmulator::kClientSecret), std::string(AwsStandin::kSecretAccessKey)}) {
    EXPECT_EQ(run.err().find(secret), std::string::npos);
    EXPECT_EQ(run.out().find(secret), std::string::npos);
    EXPECT_EQ(text.find(secret), std::string::npos);
    EXPECT_EQ(dead.find(secret), std::string::npos);
  }
}

TEST_F(Operations, JsonLogsAreOneObjectPerLineAndNameTheUnit) {
  test::write_file(dir_.file("in.jsonl"), test::finding_json("j-1") + "\nnot json\n");
  test::write_file(dir_.file("json.toml"),
                   "[source.files]\npaths = [\"" + dir_.file("in.jsonl") +
                       "\"]\n[sink.file]\npath = \"" + dir_.file("out.jsonl") +
                       "\"\n[dead_letter]\npath = \"" + dir_.file("dead.jsonl") +
                       "\"\n[state]\npath = \"" + dir_.file("state.db") + "\"\n");
  auto r = test::run_binary({"run", "--config", dir_.file("json.toml"), "--log-format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  simdjson::dom::parser parser;
  int lines = 0;
  bool named_unit = false;
  std::istringstream err(r.err);
  for (std::string line; std::getline(err, line);) {
    simdjson::dom::element entry;
    ASSERT_FALSE(parser.parse(line).get(entry)) << "not JSON: " << line;
    std::string_view level, message, time;
    ASSERT_FALSE(entry["level"].get(level)) << line;
    ASSERT_FALSE(entry["message"].get(message)) << line;
    ASSERT_FALSE(entry["time"].get(time)) << line;
    ++lines;
    if (level == "warning" || level == "warn")
      named_unit = named_unit || message.find(dir_.file("in.jsonl")) != std::string_view::npos;
  }
  EXPECT_GE(lines, 2);
  EXPECT_TRUE(named_unit) << r.err;
}

}  // namespace
}  // namespace gd2s
