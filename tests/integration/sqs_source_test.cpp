// The sqs source against fauxqs on 127.0.0.1 behind the SigV4-checking proxy: every message
// shape, visibility extension under a slow sink, poison messages, dedupe across EventBridge and
// S3, and three replicas killed at random on one queue.

#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <map>
#include <random>
#include <set>
#include <thread>

#include "aws/credential_providers.h"
#include "aws/sqs_client.h"
#include "http/curl_client.h"
#include "pipeline/pipeline.h"
#include "sinks/dead_letter_file.h"
#include "sinks/file/sink.h"
#include "sources/sqs/source.h"
#include "state/sqlite_store.h"
#include "support/aws_standin.h"
#include "support/aws_standin_suite.h"
#include "support/background_run.h"
#include "support/config_text.h"
#include "support/test_support.h"
#include "support/workspace_emulator.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;
using test::AwsStandin;

constexpr const char* kBase = "AWSLogs/111122223333/GuardDuty/eu-west-1/2026/03/01/";

std::string finding(const std::string& id,
                    const std::string& updated = "2026-03-01T00:00:00.000Z") {
  return test::finding_json(id, updated);
}

std::string s3_event(const std::string& bucket, const std::vector<std::string>& encoded_keys,
                     const std::string& event = "ObjectCreated:Put") {
  std::string records;
  for (const std::string& key : encoded_keys)
    records +=
        std::string(records.empty() ? "" : ",") +
        R"({"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"eu-west-1","eventName":")" +
        event + R"(","s3":{"s3SchemaVersion":"1.0","bucket":{"name":")" + bucket +
        R"(","arn":"arn:aws:s3:::)" + bucket + R"("},"object":{"key":")" + key + R"(","size":1}}})";
  return R"({"Records":[)" + records + "]}";
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string eventbridge_finding(const std::string& finding_json,
                                const std::string& detail_type = "GuardDuty Finding") {
  return R"({"version":"0","id":"cd2d702e-ab31-411b-9344-793ce56b1bc7","detail-type":")" +
         detail_type +
         R"(","source":"aws.guardduty","account":"111122223333","time":"2026-03-01T00:00:00Z","region":"eu-west-1","resources":[],"detail":)" +
         finding_json + "}";
}

class SqsSourceTest : public test::AwsStandinSuite {
 protected:
  aws::CredentialProviderPtr credentials() {
    return aws::make_environment_provider([](const std::string& name) {
      if (name == "AWS_ACCESS_KEY_ID") return std::string(AwsStandin::kAccessKeyId);
      if (name == "AWS_SECRET_ACCESS_KEY") return std::string(AwsStandin::kSecretAccessKey);
      return std::string();
    });
  }

  struct Outcome {
    std::multiset<std::string> ids;
    std::vector<std::string> dead_letters;
    SourceTotals totals;
    uint64_t extensions = 0, poison = 0, unknown = 0, skipped = 0, test_events = 0;
    std::string error;
  };

  // Drains `queue_url` with the real source and pipeline into a file sink; `slow_sink` delays
  // every hand-over to the sink.
  Outcome drain(const std::string& queue_url, const std::string& name, SqsSourceOptions options,
                Duration slow_sink = Duration(0), Duration stop_after = Duration(0)) {
    auto http = http::make_curl_client({});
    auto creds = credentials();
    aws::S3Settings s3_settings;
    s3_settings.region = standin_->region();
    s3_settings.endpoints.s3 = standin_->endpoint();
    s3_settings.path_style = true;
    s3_settings.backoff = {5ms, 50ms, 2};
    aws::S3Client s3(http, creds, s3_settings);
    aws::SqsSettings sqs_settings{standin_->region(), {}, {5ms, 50ms, 4}};
    sqs_settings.endpoints.sqs = standin_->endpoint();
    aws::SqsClient sqs(http, creds, sqs_settings);
    options.queue_url = queue_url;
    Outcome outcome;
    std::string out = dir_.file("out-" + name + ".jsonl");
    std::string dead = dir_.file("dead-" + name + ".jsonl");
    {
      SqliteStateStore state(dir_.file("state-" + name + ".db"));
      DeadLetterFile dead_letters(dead);
      FileSink file(out);
      struct SlowSink final : Sink {
        SlowSink(Sink& inner, Duration delay) : inner_(inner), delay_(delay) {}
        std::string_view name() const override { return "slow"; }
        void send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) override {
          std::this_thread::sleep_for(delay_);
          inner_.send(std::move(rows), receiver);
        }
        void flush() override { inner_.flush(); }
        Sink& inner_;
        Duration delay_;
      } slow(file, slow_sink);
      SqsSource source(options, sqs, s3);
      auto schema = make_schema("native");
      FindingFilter filter(FilterOptions{});
      Dedupe dedupe(state, 168h);
      Pipeline pipeline(source, slow, dead_letters, *schema, filter, dedupe, {});
      std::jthread stopper;
      if (stop_after.count() > 0)
        stopper = std::jthread([&, stop_after](std::stop_token token) {
          auto until = std::chrono::steady_clock::now() + stop_after;
          while (!token.stop_requested() && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(20ms);
          pipeline.stop();
        });
      try {
        pipeline.run();
      } catch (const std::exception& e) {
        outcome.error = e.what();
      }
      if (stopper.joinable()) {
        stopper.request_stop();
        stopper.join();
      }
      outcome.totals = source.totals();
      outcome.extensions = source.counters().extensions.load();
      outcome.poison = source.counters().poison.load();
      outcome.unknown = source.counters().unknown.load();
      outcome.skipped = source.counters().skipped.load();
      outcome.test_events = source.counters().test_events.load();
    }
    simdjson::dom::parser parser;
    if (std::filesystem::exists(out))
      for (const std::string& line : test::read_lines(out))
        outcome.ids.insert(std::string(std::string_view(parser.parse(line)["Id"])));
    if (std::filesystem::exists(dead)) outcome.dead_letters = test::read_lines(dead);
    return outcome;
  }

  int64_t messages_left(const std::string& queue_url) {
    auto attributes = standin_->queue_attributes(queue_url);
    return std::stoll(attributes["ApproximateNumberOfMessages"]) +
           std::stoll(attributes["ApproximateNumberOfMessagesNotVisible"]);
  }

  test::TempDir dir_;
};

TEST_F(SqsSourceTest, EveryMessageShapeIsReadOrSkippedAndOnlyTheMalformedOneStays) {
  standin_->create_bucket("shapes");
  standin_->put_object("shapes", std::string(kBase) + "one.jsonl.gz",
                       test::gzip(finding("a1") + "\n" + finding("a2") + "\n"));
  standin_->put_object("shapes", std::string(kBase) + "two b+c=.jsonl.gz",
                       test::gzip(finding("b1") + "\n"));
  standin_->put_object("shapes", std::string(kBase) + "three.jsonl.gz",
                       test::gzip(finding("c1") + "\n"));
  standin_->put_object("shapes", std::string(kBase) + "four.jsonl.gz",
                       test::gzip(finding("d1") + "\n"));
  std::string queue = standin_->create_queue("shapes");
  // One notification naming two objects, one of them with a form-encoded key.
  standin_->send_message(queue, s3_event("shapes", {std::string(kBase) + "one.jsonl.gz",
                                                    std::string(kBase) + "two+b%2Bc%3D.jsonl.gz"}));
  // The same wrapped in SNS.
  standin_->send_message(
      queue,
      R"({"Type":"Notification","MessageId":"m1","TopicArn":"arn:aws:sns:eu-west-1:111122223333:t","Message":)" +
          json_string(s3_event("shapes", {std::string(kBase) + "three.jsonl.gz"})) +
          R"(,"Timestamp":"2026-03-01T00:00:00.000Z"})");
  // EventBridge "Object Created".
  standin_->send_message(
      queue,
      R"({"version":"0","id":"f5f1e65c","detail-type":"Object Created","source":"aws.s3","account":"111122223333","time":"2026-03-01T00:00:00Z","region":"eu-west-1","resources":[],"detail":{"version":"0","bucket":{"name":"shapes"},"object":{"key":")" +
          std::string(kBase) + R"(four.jsonl.gz","size":1}}})");
  // EventBridge "GuardDuty Finding", another GuardDuty detail-type, S3's test event, a removal.
  standin_->send_message(queue, eventbridge_finding(finding("e1")));
  standin_->send_message(queue,
                         eventbridge_finding("{}", "GuardDuty Runtime Protection Unhealthy"));
  standin_->send_message(
      queue,
      R"({"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-03-01T00:00:00.000Z","Bucket":"shapes","RequestId":"5582815E1AEA5ADF","HostId":"x"})");
  standin_->send_message(queue, "this is not a notification");

  SqsSourceOptions options;
  options.once = true;
  options.visibility_timeout = 30s;
  Outcome outcome = drain(queue, "shapes", options);
  EXPECT_EQ(outcome.error, "");
  EXPECT_EQ(outcome.ids, (std::multiset<std::string>{"a1", "a2", "b1", "c1", "d1", "e1"}));
  ASSERT_EQ(outcome.dead_letters.size(), 1u);
  EXPECT_NE(outcome.dead_letters[0].find("not JSON"), std::string::npos) << outcome.dead_letters[0];
  EXPECT_NE(outcome.dead_letters[0].find("this is not a notification"), std::string::npos);
  EXPECT_EQ(outcome.unknown, 1u);
  EXPECT_EQ(outcome.skipped, 1u);
  EXPECT_EQ(outcome.test_events, 1u);
  EXPECT_EQ(outcome.totals.units_opened, 7u);
  EXPECT_EQ(outcome.totals.units_committed, 6u);
  EXPECT_EQ(messages_left(queue), 1) << "only the malformed message stays, for the redrive policy";
}

TEST_F(SqsSourceTest, ASlowSinkKeepsItsMessagesInvisibleToAnotherReplica) {
  standin_->create_bucket("slow");
  std::string queue = standin_->create_queue("slow");
  for (int i = 0; i < 4; ++i)
    standin_->send_message(queue, eventbridge_finding(finding("s" + std::to_string(i))));
  SqsSourceOptions options;
  options.once = true;
  options.receivers = 1;
  options.visibility_timeout = 2s;  // extended every second
  Outcome slow, other;
  {
    std::jthread first([&] { slow = drain(queue, "slow-1", options, 2500ms); });
    std::this_thread::sleep_for(500ms);
    // A second replica polls while the first holds every message longer than the timeout.
    SqsSourceOptions second = options;
    second.once = false;
    other = drain(queue, "slow-2", second, Duration(0), 5s);
  }
  EXPECT_EQ(slow.error, "");
  EXPECT_EQ(slow.ids.size(), 4u);
  EXPECT_TRUE(other.ids.empty()) << "a message in flight was delivered to another replica";
  EXPECT_GT(slow.extensions, 0u);
  EXPECT_EQ(messages_left(queue), 0);
}

TEST_F(SqsSourceTest, APoisonMessageIsLeftToTheRedrivePolicyAfterMaxReceiveCount) {
  std::string queue = standin_->create_queue("poison");
  // Names an object that cannot be read (no such bucket): it fails on every receive.
  standin_->send_message(queue, s3_event("no-such-bucket", {std::string(kBase) + "x.jsonl.gz"}));
  SqsSourceOptions options;
  options.receivers = 1;
  options.max_receive_count = 2;
  options.visibility_timeout = 2s;
  options.wait_time = 1s;
  Outcome outcome = drain(queue, "poison", options, Duration(0), 9s);
  EXPECT_GE(outcome.poison, 1u);
  EXPECT_EQ(outcome.totals.units_committed, 0u);
  EXPECT_EQ(messages_left(queue), 1) << "never deleted: the redrive policy moves it";
}

TEST_F(SqsSourceTest, AFindingVersionArrivingByEventBridgeAndS3IsSentOnce) {
  standin_->create_bucket("both");
  standin_->put_object("both", std::string(kBase) + "both.jsonl.gz",
                       test::gzip(finding("same") + "\n" + finding("other") + "\n"));
  std::string queue = standin_->create_queue("both");
  standin_->send_message(queue, eventbridge_finding(finding("same")));
  SqsSourceOptions options;
  options.once = true;
  options.receivers = 1;
  Outcome first = drain(queue, "both", options);
  standin_->send_message(queue, s3_event("both", {std::string(kBase) + "both.jsonl.gz"}));
  Outcome second = drain(queue, "both", options);  // same state store: the dedupe window
  EXPECT_EQ(first.ids, (std::multiset<std::string>{"same"}));
  EXPECT_EQ(second.ids, (std::multiset<std::string>{"same", "other"}))
      << "the file holds both runs: 'same' only once";
}

// Three replicas of the binary on one queue, killed with SIGKILL at random moments and
// restarted; once the queue drains, every finding is in the workspace at least once. A message
// deleted before its records were acknowledged would show up here as a missing finding.
TEST_F(SqsSourceTest, ThreeReplicasKilledAtRandomLoseNothing) {
  test::WorkspaceEmulator emulator;
  standin_->create_bucket("replicas");
  std::string queue = standin_->create_queue("replicas");
  std::set<std::string> expected;
  for (int object = 0; object < 30; ++object) {
    std::string lines;
    for (int i = 0; i < 10; ++i) {
      std::string id = "s3-" + std::to_string(object) + "-" + std::to_string(i);
      lines += finding(id) + "\n";
      expected.insert(id);
    }
    std::string key = std::string(kBase) + "replica-" + std::to_string(object) + ".jsonl.gz";
    standin_->put_object("replicas", key, test::gzip(lines));
    standin_->send_message(queue, s3_event("replicas", {key}));
  }
  for (int i = 0; i < 300; ++i) {
    std::string id = "eb-" + std::to_string(i);
    standin_->send_message(queue, eventbridge_finding(finding(id)));
    expected.insert(id);
  }
  auto config = [&](int replica) {
    std::string n = std::to_string(replica);
    return test::ConfigText()
        .sqs_source(queue, standin_->region())
        .set("receivers", "2")
        .set_string("visibility_timeout", "3s")
        .set_string("wait_time", "1s")
        .table("aws")
        .set_string("sqs_endpoint", standin_->endpoint())
        .set_string("s3_endpoint", standin_->endpoint())
        .set("s3_path_style", "true")
        .workspace_emulator(emulator, "env:GD2S_REPLICA_SECRET")
        .dead_letters(dir_.file("replica-dead-" + n + ".jsonl"))
        .state(dir_.file("replica-" + n + ".db"))
        .log_level("error")
        .write(dir_.file("replica-" + n + ".toml"));
  };
  auto start = [&](int replica, bool once) {
    std::vector<std::string> args{"run", "--config", config(replica)};
    if (once) args.push_back("--once");
    return std::make_unique<test::BackgroundRun>(
        args, AwsStandin::binary_environment(
                  {std::string("GD2S_REPLICA_SECRET=") + test::WorkspaceEmulator::kClientSecret,
                   "HOME=" + dir_.path().string()}));
  };
  std::mt19937 random(20261128);
  std::vector<std::unique_ptr<test::BackgroundRun>> replicas;
  for (int replica = 0; replica < 3; ++replica) replicas.push_back(start(replica, false));
  // Kill only once the replicas deliver (a sanitizer build starts slowly), so kills land mid-work.
  for (int i = 0; i < 300 && emulator.row_count("AWSGuardDuty") == 0; ++i)
    std::this_thread::sleep_for(100ms);
  for (int round = 0; round < 12; ++round) {
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(100, 600)(random)));
    int victim = std::uniform_int_distribution<int>(0, 2)(random);
    replicas[static_cast<size_t>(victim)]->stop(SIGKILL);
    replicas[static_cast<size_t>(victim)] = start(victim, false);
  }
  for (auto& replica : replicas) replica->stop(SIGKILL);
  EXPECT_GT(emulator.row_count("AWSGuardDuty"), 0) << "the replicas did work between kills";
  // Drain what is left (messages in flight at the kills come back after 3 s).
  for (int pass = 0; pass < 10 && messages_left(queue) > 0; ++pass) {
    std::this_thread::sleep_for(3500ms);
    std::vector<std::unique_ptr<test::BackgroundRun>> last;
    for (int replica = 0; replica < 3; ++replica) last.push_back(start(replica, true));
    for (auto& replica : last) replica->wait();
  }
  EXPECT_EQ(messages_left(queue), 0);
  std::set<std::string> arrived;
  simdjson::dom::parser parser;
  for (const std::string& row : emulator.rows("AWSGuardDuty"))
    arrived.insert(std::string(std::string_view(parser.parse(row)["Id"])));
  std::vector<std::string> missing;
  for (const std::string& id : expected)
    if (!arrived.count(id)) missing.push_back(id);
  EXPECT_TRUE(missing.empty()) << missing.size() << " findings never arrived, e.g. "
                               << (missing.empty() ? "" : missing.front());
}

}  // namespace
}  // namespace gd2s
