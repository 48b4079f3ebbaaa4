// The SQS client: requests as sent (a recording HTTP client), error codes and their fixes. The
// calls against the AWS stand-in are in tests/integration/sqs_client_test.cpp.

#include "aws/sqs_client.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "support/fixed_credentials.h"
#include "support/scripted_http.h"

namespace gd2s::aws {
namespace {

using namespace std::chrono_literals;
using test::fixed_credentials;
using test::ScriptedHttp;

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
  auto http = std::make_shared<ScriptedHttp>(std::vector<http::Response>{});
  SqsClient client(http, fixed_credentials("AKIATEST", "test-secret", "session-token"),
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
  auto http = std::make_shared<ScriptedHttp>(std::vector<http::Response>{
      {200,
       {},
       R"({"Messages":[{"MessageId":"m1","ReceiptHandle":"h1","MD5OfBody":"x","Body":"{\"a\":1}",)"
       R"("Attributes":{"ApproximateReceiveCount":"3","SentTimestamp":"1767225600123"}},)"
       R"({"MessageId":"m2","ReceiptHandle":"h2","Body":"plain"}]})"}});
  SqsClient client(http, fixed_credentials("AKIATEST", "test-secret"),
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
  auto http = std::make_shared<ScriptedHttp>(std::vector<http::Response>{
      json_error(400, "com.amazonaws.sqs#ThrottlingException", "RequestThrottled;Sender"),
      {200, {}, R"({"Attributes":{"VisibilityTimeout":"30"}})"}});
  SqsClient client(http, fixed_credentials("AKIATEST", "test-secret"),
                   settings_for("https://sqs.example.test", "eu-west-1"));
  auto attributes = client.queue_attributes(kQueue, {"VisibilityTimeout"});
  EXPECT_EQ(attributes["VisibilityTimeout"], "30");
  ASSERT_EQ(http->requests.size(), 2u);
  EXPECT_FALSE(http::find_header(http->requests[1].headers, "Authorization").empty());
}

TEST(SqsRequest, ABatchOfMoreThanTenEntriesIsSentAsSeveralCalls) {
  auto http = std::make_shared<ScriptedHttp>(std::vector<http::Response>{
      {200, {}, R"({"Successful":[],"Failed":[{"Id":"3","Code":"X","SenderFault":true}]})"}});
  SqsClient client(http, fixed_credentials("AKIATEST", "test-secret"),
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

}  // namespace
}  // namespace gd2s::aws
