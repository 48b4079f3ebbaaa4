// The SQS client: requests as sent (a recording HTTP client), error codes and their fixes, and the
// calls against fauxqs on 127.0.0.1 behind the SigV4-checking proxy (receive, long polls,
// delete and visibility batches, attributes, faults).

#include "aws/sqs_client.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "http/curl_client.h"
#include "support/aws_standin.h"

namespace gd2s::aws {
namespace {

using namespace std::chrono_literals;
using test::AwsStandin;

class FixedCredentials final : public CredentialProvider {
 public:
  explicit FixedCredentials(AwsCredentials credentials) : credentials_(std::move(credentials)) {}
  AwsCredentials credentials() override { return credentials_; }
  std::string name() const override { return "fixed"; }

 private:
  AwsCredentials credentials_;
};

CredentialProviderPtr credentials_of(const std::string& access_key_id, const std::string& secret,
                                     const std::string& token = "") {
  return std::make_shared<FixedCredentials>(
      AwsCredentials{access_key_id, Secret(secret), Secret(token), std::nullopt, "fixed"});
}

// Answers from a script and keeps every request it was given.
class RecordingHttp final : public http::HttpClient {
 public:
  explicit RecordingHttp(std::vector<http::Response> answers) : answers_(std::move(answers)) {}
  http::Response send(const http::Request& request) override {
    std::lock_guard lock(mutex_);
    requests.push_back(request);
    if (answers_.empty()) return {200, {}, "{}"};
    http::Response answer = answers_.front();
    if (answers_.size() > 1) answers_.erase(answers_.begin());
    return answer;
  }
  std::unique_ptr<http::ResponseStream> open(const http::Request&) override {
    throw http::HttpError(http::HttpError::Kind::kOther, "not used");
  }
  std::vector<http::Request> requests;

 private:
  std::mutex mutex_;
  std::vector<http::Response> answers_;
};

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

http::Response json_error(long status, const std::string& type, const std::string& query_error,
                          const std::string& message = "") {
  http::Response response{status, {}, ""};
  if (!query_error.empty()) response.headers.emplace_back("x-amzn-query-error", query_error);
  if (!type.empty())
    response.body = R"({"__type":")" + type + R"(","message":")" + message + R"("})";
  return response;
}

SqsSettings settings_for(const std::string& endpoint, const std::string& region) {
  SqsSettings settings;
  settings.region = region;
  settings.endpoints.sqs = endpoint;
  settings.backoff = {2ms, 10ms, 3};
  return settings;
}

constexpr const char* kQueue = "https://sqs.eu-west-1.amazonaws.com/111122223333/gd-findings";

// --- error codes and messages -------------------------------------------------------------------

TEST(SqsErrorCode, StripsNamespaceAndSuffixFromType) {
  EXPECT_EQ(sqs_error_code(json_error(400, "com.amazonaws.sqs#QueueDoesNotExist", "")),
            "QueueDoesNotExist");
  EXPECT_EQ(sqs_error_code(json_error(400, "ThrottlingException:http://internal.amazon.com/", "")),
            "ThrottlingException");
  EXPECT_EQ(sqs_error_code(json_error(400, "aws.protocoltests#Weird:suffix", "")), "Weird");
}

TEST(SqsErrorCode, FallsBackToTheQueryErrorHeader) {
  EXPECT_EQ(sqs_error_code(json_error(400, "", "AWS.SimpleQueueService.NonExistentQueue;Sender")),
            "AWS.SimpleQueueService.NonExistentQueue");
  http::Response not_json{503, {{"X-Amzn-Query-Error", "ServiceUnavailable;Receiver"}}, "<html>"};
  EXPECT_EQ(sqs_error_code(not_json), "ServiceUnavailable");
  EXPECT_EQ(sqs_error_code({502, {}, "Bad Gateway"}), "");
  EXPECT_EQ(sqs_error(http::Response{502, {}, "Bad Gateway"}, ops::kReceiveMessage, kQueue).code(),
            "HTTP502");
}

TEST(SqsErrorCode, AccessDeniedNamesTheIamActionOfEachOperation) {
  auto denied = json_error(403, "com.amazon.coral.service#AccessDenied", "AccessDenied;Sender",
                           "Access to the resource is denied.");
  ServiceError receive = sqs_error(denied, ops::kReceiveMessage, kQueue);
  EXPECT_EQ(receive.code(), "AccessDenied");
  EXPECT_EQ(receive.status(), 403);
  std::string text = receive.what();
  EXPECT_NE(text.find("ReceiveMessage on " + std::string(kQueue)), std::string::npos) << text;
  EXPECT_NE(text.find("sqs:ReceiveMessage"), std::string::npos) << text;
  EXPECT_NE(text.find("kms:Decrypt"), std::string::npos) << text;

  std::string deleting = sqs_error(denied, ops::kDeleteMessageBatch, kQueue).what();
  EXPECT_NE(deleting.find("sqs:DeleteMessage "), std::string::npos) << deleting;
  EXPECT_EQ(deleting.find("sqs:DeleteMessageBatch"), std::string::npos) << deleting;
  EXPECT_EQ(deleting.find("kms:"), std::string::npos) << deleting;
  std::string extending = sqs_error(denied, ops::kChangeMessageVisibilityBatch, kQueue).what();
  EXPECT_NE(extending.find("sqs:ChangeMessageVisibility "), std::string::npos) << extending;
  std::string attributes = sqs_error(denied, ops::kGetQueueAttributes, kQueue).what();
  EXPECT_NE(attributes.find("sqs:GetQueueAttributes"), std::string::npos) << attributes;
}

TEST(SqsErrorCode, KnownCodesCarryTheirFix) {
  std::string missing = sqs_error(json_error(400, "com.amazonaws.sqs#QueueDoesNotExist",
                                             "AWS.SimpleQueueService.NonExistentQueue;Sender"),
                                  ops::kReceiveMessage, kQueue)
                            .what();
  EXPECT_NE(missing.find("check queue_url and region"), std::string::npos) << missing;
  std::string legacy_only =
      sqs_error(json_error(400, "", "AWS.SimpleQueueService.NonExistentQueue;Sender"),
                ops::kReceiveMessage, kQueue)
          .what();
  EXPECT_NE(legacy_only.find("check queue_url and region"), std::string::npos) << legacy_only;
  std::string kms = sqs_error(json_error(400, "com.amazonaws.sqs#KmsAccessDenied",
                                         "KMS.AccessDeniedException;Sender"),
                              ops::kReceiveMessage, kQueue)
                        .what();
  EXPECT_NE(kms.find("kms:Decrypt"), std::string::npos) << kms;
}

TEST(SqsErrorCode, KeepsOnlyTheFirstLineOfASignatureMismatch) {
  auto mismatch = json_error(
      403, "com.amazon.coral.service#SignatureDoesNotMatch", "SignatureDoesNotMatch;Sender",
      "The request signature we calculated does not match.\\n\\nThe Canonical String for this "
      "request should have been\\n'x-amz-security-token:TOKENVALUE'");
  std::string text = sqs_error(mismatch, ops::kReceiveMessage, kQueue).what();
  EXPECT_NE(text.find("does not match"), std::string::npos) << text;
  EXPECT_EQ(text.find("TOKENVALUE"), std::string::npos) << text;
  EXPECT_NE(text.find("credentials"), std::string::npos) << text;
}

// --- requests as sent ---------------------------------------------------------------------------

TEST(SqsRequest, ReceiveIsASignedJsonPostWithALongerTimeoutThanThePoll) {
  auto http = std::make_shared<RecordingHttp>(std::vector<http::Response>{});
  SqsClient client(http, credentials_of("AKIATEST", "test-secret", "session-token"),
                   settings_for("https://sqs.eu-west-1.amazonaws.com", "eu-west-1"));
  EXPECT_TRUE(client.receive(kQueue, 10, 20s, 300s).empty());
  ASSERT_EQ(http->requests.size(), 1u);
  const http::Request& request = http->requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://sqs.eu-west-1.amazonaws.com/");
  EXPECT_EQ(request.timeout, 30s);
  EXPECT_EQ(http::find_header(request.headers, "X-Amz-Target"), "AmazonSQS.ReceiveMessage");
  EXPECT_EQ(http::find_header(request.headers, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(http::find_header(request.headers, "X-Amz-Security-Token"), "session-token");
  std::string authorization{http::find_header(request.headers, "Authorization")};
  EXPECT_NE(authorization.find("/eu-west-1/sqs/aws4_request"), std::string::npos);
  EXPECT_NE(authorization.find(
                "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target,"),
            std::string::npos)
      << authorization;

  simdjson::dom::parser parser;
  simdjson::dom::element body = parser.parse(request.body);
  EXPECT_EQ(std::string_view(body["QueueUrl"]), kQueue);
  EXPECT_EQ(int64_t(body["MaxNumberOfMessages"]), 10);
  EXPECT_EQ(int64_t(body["WaitTimeSeconds"]), 20);
  EXPECT_EQ(int64_t(body["VisibilityTimeout"]), 300);
  simdjson::dom::array names = body["MessageSystemAttributeNames"];
  std::vector<std::string> wanted;
  for (simdjson::dom::element name : names) wanted.emplace_back(std::string_view(name));
  EXPECT_EQ(wanted, (std::vector<std::string>{"ApproximateReceiveCount", "SentTimestamp"}));

  client.receive(kQueue, 1, 0s);
  simdjson::dom::element second = parser.parse(http->requests[1].body);
  EXPECT_TRUE(second["VisibilityTimeout"].error()) << "unset: the queue's default";
  EXPECT_EQ(http->requests[1].timeout, 10s);
}

TEST(SqsRequest, ParsesMessagesAndTheirSystemAttributes) {
  auto http = std::make_shared<RecordingHttp>(std::vector<http::Response>{
      {200,
       {},
       R"({"Messages":[{"MessageId":"m1","ReceiptHandle":"h1","MD5OfBody":"x","Body":"{\"a\":1}",)"
       R"("Attributes":{"ApproximateReceiveCount":"3","SentTimestamp":"1767225600123"}},)"
       R"({"MessageId":"m2","ReceiptHandle":"h2","Body":"plain"}]})"}});
  SqsClient client(http, credentials_of("AKIATEST", "test-secret"),
                   settings_for("https://sqs.example.test", "eu-west-1"));
  auto messages = client.receive(kQueue, 10, 0s);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].message_id, "m1");
  EXPECT_EQ(messages[0].receipt_handle, "h1");
  EXPECT_EQ(messages[0].body, R"({"a":1})");
  EXPECT_EQ(messages[0].receive_count, 3u);
  ASSERT_TRUE(messages[0].sent_at.has_value());
  EXPECT_EQ(format_iso8601(*messages[0].sent_at), "2026-01-01T00:00:00.123Z");
  EXPECT_EQ(messages[1].receive_count, 0u);
  EXPECT_FALSE(messages[1].sent_at.has_value());
  EXPECT_EQ(http::find_header(http->requests[0].headers, "X-Amz-Security-Token"), "")
      << "no session token: no header";
}

TEST(SqsRequest, ThrottlingOn400IsRetriedWithAFreshSignature) {
  auto http = std::make_shared<RecordingHttp>(std::vector<http::Response>{
      json_error(400, "com.amazonaws.sqs#ThrottlingException", "RequestThrottled;Sender"),
      {200, {}, R"({"Attributes":{"VisibilityTimeout":"30"}})"}});
  SqsClient client(http, credentials_of("AKIATEST", "test-secret"),
                   settings_for("https://sqs.example.test", "eu-west-1"));
  auto attributes = client.queue_attributes(kQueue, {"VisibilityTimeout"});
  EXPECT_EQ(attributes["VisibilityTimeout"], "30");
  ASSERT_EQ(http->requests.size(), 2u);
  EXPECT_FALSE(http::find_header(http->requests[1].headers, "Authorization").empty());
}

TEST(SqsRequest, ABatchOfMoreThanTenEntriesIsSentAsSeveralCalls) {
  auto http = std::make_shared<RecordingHttp>(std::vector<http::Response>{
      {200, {}, R"({"Successful":[],"Failed":[{"Id":"3","Code":"X","SenderFault":true}]})"}});
  SqsClient client(http, credentials_of("AKIATEST", "test-secret"),
                   settings_for("https://sqs.example.test", "eu-west-1"));
  std::vector<SqsBatchEntry> entries;
  for (int i = 0; i < 12; ++i) entries.push_back({std::to_string(i), "h" + std::to_string(i), 60});
  auto failures = client.change_visibility_batch(kQueue, entries);
  ASSERT_EQ(http->requests.size(), 2u);
  EXPECT_EQ(failures.size(), 2u) << "one Failed[] entry per answer";
  EXPECT_TRUE(failures[0].sender_fault);
  simdjson::dom::parser parser;
  simdjson::dom::array first = parser.parse(http->requests[0].body)["Entries"];
  EXPECT_EQ(first.size(), 10u);
  EXPECT_EQ(int64_t(first.at(0)["VisibilityTimeout"]), 60);
  EXPECT_TRUE(client.delete_batch(kQueue, {}).empty());
  EXPECT_EQ(http->requests.size(), 2u) << "no entries: no call";
}

// --- against the stand-in -----------------------------------------------------------------------

class SqsStandin : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { standin_ = new AwsStandin(); }
  static void TearDownTestSuite() {
    delete standin_;
    standin_ = nullptr;
  }
  void TearDown() override { standin_->clear_faults(); }

  static SqsClient client(http::HttpClientPtr http = http::make_curl_client({}),
                          CredentialProviderPtr credentials = nullptr) {
    if (!credentials) credentials = std::make_shared<FixedCredentials>(AwsStandin::credentials());
    return SqsClient(std::move(http), std::move(credentials),
                     settings_for(standin_->endpoint(), standin_->region()));
  }
  // A fresh queue per test, so tests do not see each other's messages.
  static std::string queue(const std::string& name,
                           const std::map<std::string, std::string>& attributes = {}) {
    return standin_->create_queue(name, attributes);
  }
  static void expect_no_secret(const std::string& text) {
    EXPECT_EQ(text.find(AwsStandin::kSecretAccessKey), std::string::npos) << text;
  }

  static AwsStandin* standin_;
};

AwsStandin* SqsStandin::standin_ = nullptr;

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
      {credentials_of(AwsStandin::kAccessKeyId, wrong_secret), wrong_secret},
      {credentials_of(AwsStandin::kAccessKeyId, AwsStandin::kSecretAccessKey, "bogus-token-xyz"),
       "bogus-token-xyz"},
      {credentials_of("AKIDUNKNOWN000000000", wrong_secret), wrong_secret},
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
