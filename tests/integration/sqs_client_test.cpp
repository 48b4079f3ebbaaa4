// The SQS client against the AWS stand-in (fauxqs on 127.0.0.1 behind the SigV4-checking proxy):
// receive, long polls, delete and visibility batches, attributes, faults.

#include "aws/sqs_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "http/curl_client.h"
#include "support/aws_standin.h"
#include "support/aws_standin_suite.h"
#include "support/fixed_credentials.h"

namespace gd2s::aws {
namespace {

using namespace std::chrono_literals;
using test::AwsStandin;
using test::fixed_credentials;

// Counts what passes through to a real client.
class CountingHttp final : public http::HttpClient {
 public:
  explicit CountingHttp(http::HttpClientPtr inner) : inner_(std::move(inner)) {}
  http::Response send(const http::Request& request) override {
    ++sends;
    return inner_->send(request);
  }
  std::unique_ptr<http::ResponseStream> open(const http::Request& request) override {
    return inner_->open(request);
  }
  std::atomic<int> sends{0};

 private:
  http::HttpClientPtr inner_;
};

class SqsStandin : public test::AwsStandinSuite {
 protected:
  static SqsClient client(http::HttpClientPtr http = http::make_curl_client({}),
                          CredentialProviderPtr credentials = nullptr) {
    if (!credentials)
      credentials = std::make_shared<test::FixedCredentials>(AwsStandin::credentials());
    return SqsClient(std::move(http), std::move(credentials), settings());
  }
  static SqsSettings settings() {
    SqsSettings settings;
    settings.region = standin_->region();
    settings.endpoints.sqs = standin_->endpoint();
    settings.backoff = {2ms, 10ms, 3};
    return settings;
  }
  // A fresh queue per test, so tests do not see each other's messages.
  static std::string queue(const std::string& name,
                           const std::map<std::string, std::string>& attributes = {}) {
    return standin_->create_queue(name, attributes);
  }
  static void expect_no_secret(const std::string& text) {
    EXPECT_EQ(text.find(AwsStandin::kSecretAccessKey), std::string::npos) << text;
  }
};

TEST_F(SqsStandin, LongPollOnAnEmptyQueueReturnsNothingAfterTheWait) {
  std::string url = queue("empty");
  SqsClient sqs = client();
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(sqs.receive(url, 10, 1s).empty());
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 900ms);
  EXPECT_LT(elapsed, 5s);
}

TEST_F(SqsStandin, ReceivesBodyIdHandleAndCountsReceives) {
  std::string url = queue("receive");
  standin_->send_message(url, R"({"Records":[]})");
  SqsClient sqs = client();
  auto first = sqs.receive(url, 10, 1s, 1s);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].body, R"({"Records":[]})");
  EXPECT_FALSE(first[0].message_id.empty());
  EXPECT_FALSE(first[0].receipt_handle.empty());
  EXPECT_EQ(first[0].receive_count, 1u);
  ASSERT_TRUE(first[0].sent_at.has_value());
  EXPECT_LT(std::chrono::abs(now_utc() - *first[0].sent_at), 60s);

  std::this_thread::sleep_for(1200ms);  // the 1 s visibility runs out
  auto second = sqs.receive(url, 10, 2s, 1s);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].message_id, first[0].message_id);
  EXPECT_EQ(second[0].receive_count, 2u);
  EXPECT_NE(second[0].receipt_handle, first[0].receipt_handle);
}

TEST_F(SqsStandin, DeleteBatchRemovesTheMessages) {
  std::string url = queue("delete");
  standin_->send_message(url, "one");
  standin_->send_message(url, "two");
  SqsClient sqs = client();
  auto messages = sqs.receive(url, 10, 1s, 1s);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_TRUE(sqs.delete_batch(url, {{"a", messages[0].receipt_handle, 0},
                                     {"b", messages[1].receipt_handle, 0}})
                  .empty());
  std::this_thread::sleep_for(1200ms);
  EXPECT_TRUE(sqs.receive(url, 10, 1s).empty());
  auto attributes = standin_->queue_attributes(url);
  EXPECT_EQ(attributes["ApproximateNumberOfMessages"], "0");
  EXPECT_EQ(attributes["ApproximateNumberOfMessagesNotVisible"], "0");
}

TEST_F(SqsStandin, ChangeVisibilityBatchKeepsAMessageInvisible) {
  std::string url = queue("extend-batch");
  standin_->send_message(url, "slow");
  SqsClient sqs = client();
  auto messages = sqs.receive(url, 1, 1s, 1s);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(sqs.change_visibility_batch(url, {{"m", messages[0].receipt_handle, 30}}).empty());
  std::this_thread::sleep_for(1200ms);
  EXPECT_TRUE(sqs.receive(url, 10, 1s).empty());
  EXPECT_EQ(standin_->queue_attributes(url)["ApproximateNumberOfMessagesNotVisible"], "1");
}

TEST_F(SqsStandin, ChangeVisibilityKeepsAMessageInvisibleAndZeroReleasesIt) {
  std::string url = queue("extend");
  standin_->send_message(url, "slow");
  SqsClient sqs = client();
  auto messages = sqs.receive(url, 1, 1s, 1s);
  ASSERT_EQ(messages.size(), 1u);
  sqs.change_visibility(url, messages[0].receipt_handle, 30);
  std::this_thread::sleep_for(1200ms);
  EXPECT_TRUE(sqs.receive(url, 10, 1s).empty());
  sqs.change_visibility(url, messages[0].receipt_handle, 0);
  auto again = sqs.receive(url, 10, 1s);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2u);
}

TEST_F(SqsStandin, QueueAttributesReturnsVisibilityTimeoutAndRedrivePolicy) {
  std::string dlq = queue("attributes-dlq");
  std::string arn = standin_->queue_attributes(dlq)["QueueArn"];
  ASSERT_FALSE(arn.empty());
  std::string redrive = R"({"deadLetterTargetArn":")" + arn + R"(","maxReceiveCount":5})";
  std::string url = queue("attributes", {{"VisibilityTimeout", "45"}, {"RedrivePolicy", redrive}});
  auto attributes = client().queue_attributes(url, {"VisibilityTimeout", "RedrivePolicy"});
  EXPECT_EQ(attributes["VisibilityTimeout"], "45");
  EXPECT_NE(attributes["RedrivePolicy"].find(arn), std::string::npos)
      << attributes["RedrivePolicy"];
  EXPECT_NE(attributes["RedrivePolicy"].find("maxReceiveCount"), std::string::npos);
  EXPECT_EQ(client().queue_attributes(url, {})["VisibilityTimeout"], "45") << "none: All";
}

TEST_F(SqsStandin, DeleteBatchReturnsFailedEntriesOnHttp200) {
  std::string url = queue("fail-entries");
  standin_->send_message(url, "one");
  standin_->send_message(url, "two");
  SqsClient sqs = client();
  auto messages = sqs.receive(url, 10, 1s, 30s);
  ASSERT_EQ(messages.size(), 2u);
  standin_->add_fault(
      R"({"operation":"^DeleteMessageBatch$","action":"fail-entries","entryIds":["b"],)"
      R"("code":"ReceiptHandleIsInvalid","message":"injected","senderFault":true,"times":1})");
  auto failures = sqs.delete_batch(
      url, {{"a", messages[0].receipt_handle, 0}, {"b", messages[1].receipt_handle, 0}});
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].id, "b");
  EXPECT_EQ(failures[0].code, "ReceiptHandleIsInvalid");
  EXPECT_EQ(failures[0].message, "injected");
  EXPECT_TRUE(failures[0].sender_fault);
  EXPECT_EQ(standin_->queue_attributes(url)["ApproximateNumberOfMessagesNotVisible"], "1")
      << "a was deleted, b is still in flight";
  standin_->purge_queue(url);
  EXPECT_EQ(standin_->queue_attributes(url)["ApproximateNumberOfMessagesNotVisible"], "0");
}

TEST_F(SqsStandin, DenyGivesAccessDeniedNamingTheIamAction) {
  std::string url = queue("denied");
  standin_->add_fault(R"({"operation":"^ReceiveMessage$","action":"deny"})");
  try {
    client().receive(url, 10, 0s);
    FAIL() << "expected a ServiceError";
  } catch (const ServiceError& error) {
    EXPECT_EQ(error.code(), "AccessDenied");
    EXPECT_EQ(error.status(), 403);
    std::string text = error.what();
    EXPECT_NE(text.find("sqs:ReceiveMessage"), std::string::npos) << text;
    EXPECT_NE(text.find(url), std::string::npos) << text;
    expect_no_secret(text);
  }
  standin_->add_fault(R"({"operation":"^DeleteMessageBatch$","action":"deny"})");
  try {
    client().delete_batch(url, {{"a", "handle", 0}});
    FAIL() << "expected a ServiceError";
  } catch (const ServiceError& error) {
    EXPECT_NE(std::string(error.what()).find("sqs:DeleteMessage "), std::string::npos)
        << error.what();
  }
}

TEST_F(SqsStandin, NonexistentQueueErrorNamesTheQueue) {
  std::string url = standin_->endpoint() + "/000000000000/no-such-queue";
  try {
    client().receive(url, 1, 0s);
    FAIL() << "expected a ServiceError";
  } catch (const ServiceError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_TRUE(error.code() == "QueueDoesNotExist" || error.code() == "NonExistentQueue" ||
                error.code() == "AWS.SimpleQueueService.NonExistentQueue")
        << error.code();
    std::string text = error.what();
    EXPECT_NE(text.find(url), std::string::npos) << text;
    EXPECT_NE(text.find("check queue_url and region"), std::string::npos) << text;
    expect_no_secret(text);
  }
}

TEST_F(SqsStandin, ErrorMessagesNeverContainSecrets) {
  std::string url = queue("secrets");
  const std::string wrong_secret = "wrong/secret/key/for/local/tests/only000";
  struct Case {
    CredentialProviderPtr credentials;
    std::string hidden;
  };
  std::vector<Case> cases{
      {fixed_credentials(AwsStandin::kAccessKeyId, wrong_secret), wrong_secret},
      {fixed_credentials(AwsStandin::kAccessKeyId, AwsStandin::kSecretAccessKey, "bogus-token-xyz"),
       "bogus-token-xyz"},
      {fixed_credentials("AKIDUNKNOWN000000000", wrong_secret), wrong_secret},
  };
  for (const Case& c : cases) {
    try {
      client(http::make_curl_client({}), c.credentials).receive(url, 1, 0s);
      ADD_FAILURE() << "expected a ServiceError";
    } catch (const ServiceError& error) {
      std::string text = error.what();
      EXPECT_EQ(error.status(), 403) << text;
      EXPECT_EQ(text.find(c.hidden), std::string::npos) << text;
      expect_no_secret(text);
      EXPECT_NE(text.find("credentials"), std::string::npos) << text;
    }
  }
}

TEST_F(SqsStandin, A503OnceIsRetriedTransparently) {
  std::string url = queue("retry");
  standin_->send_message(url, "after a 503");
  auto counting = std::make_shared<CountingHttp>(http::make_curl_client({}));
  standin_->add_fault(
      R"({"operation":"^ReceiveMessage$","action":"status","status":503,"times":1})");
  auto messages = client(counting).receive(url, 10, 1s);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, "after a 503");
  EXPECT_EQ(counting->sends.load(), 2);
}

TEST_F(SqsStandin, ThrottlingIsRetriedAndPersistent5xxEndsInAnError) {
  std::string url = queue("throttled");
  auto counting = std::make_shared<CountingHttp>(http::make_curl_client({}));
  standin_->add_fault(R"({"operation":"^GetQueueAttributes$","action":"status","status":400,)"
                      R"("code":"ThrottlingException","times":1})");
  EXPECT_EQ(client(counting).queue_attributes(url, {"VisibilityTimeout"})["VisibilityTimeout"],
            "30");
  EXPECT_EQ(counting->sends.load(), 2);
  standin_->add_fault(
      R"({"operation":"^ChangeMessageVisibility$","action":"status","status":503})");
  try {
    client().change_visibility(url, "handle", 10);
    FAIL() << "expected a ServiceError";
  } catch (const ServiceError& error) {
    EXPECT_EQ(error.status(), 503);
    EXPECT_EQ(error.code(), "ServiceUnavailable");
  }
}

}  // namespace
}  // namespace gd2s::aws
