// The pieces of the Azure sinks that need no network: Retry-After, gzip, base64, the SharedKey
// signature (REFERENCE.md §10.3 test vectors), the Data Collector row form, and how each
// protocol judges an answer.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "core/base64.h"
#include "core/uuid.h"
#include "sinks/data_collector/sink.h"
#include "sinks/gzip_encoder.h"
#include "sinks/logs_ingestion/protocol.h"
#include "support/sink_testing.h"

namespace gd2s {
namespace {

using std::chrono::seconds;
using test::answer;
using test::FakeTokens;

TEST(RetryAfter, ReadsSecondsAndHttpDates) {
  Timestamp now = *parse_iso8601("2026-11-28T10:00:00Z");
  EXPECT_EQ(parse_retry_after("5", now), Duration(seconds(5)));
  EXPECT_EQ(parse_retry_after(" 0 ", now), Duration(seconds(0)));
  EXPECT_EQ(parse_retry_after("Sat, 28 Nov 2026 10:00:30 GMT", now), Duration(seconds(30)));
  EXPECT_EQ(parse_retry_after("Sat, 28 Nov 2026 09:59:00 GMT", now), Duration(0));
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-3", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
}

TEST(GzipEncoder, WritesOneGzipMemberThatDecodesToTheInput) {
  GzipEncoder encoder(6);
  std::string out;
  std::string data(100000, 'x');
  for (int i = 0; i < 3; ++i) {  // the encoder is reused between bodies
    data += std::to_string(i);
    encoder.compress(data, out);
    ASSERT_GE(out.size(), 18u);
    EXPECT_EQ(static_cast<unsigned char>(out[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(out[1]), 0x8b);
    EXPECT_LT(out.size(), data.size() / 10);
    EXPECT_EQ(test::plain_body(out), data);
  }
}

TEST(Base64, EncodesAndDecodesStrictly) {
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_decode("aGVsbG8="), "hello");
  EXPECT_EQ(base64_decode("aGVsbA=="), "hell");
  EXPECT_EQ(base64_decode("aGVs"), "hel");
  EXPECT_EQ(base64_decode("aGVsbG8"), std::nullopt);
  EXPECT_EQ(base64_decode("aGV*bG8="), std::nullopt);
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Uuid, IsRandomVersionFour) {
  std::string a = random_uuid(), b = random_uuid();
  ASSERT_EQ(a.size(), 36u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a[14], '4');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
}

// REFERENCE.md §10.3, vectors 1 to 4.
TEST(SharedKey, MatchesTheReferenceVectors) {
  std::string zeros = *base64_decode(std::string(86, 'A') + "==");
  ASSERT_EQ(zeros.size(), 64u);
  std::string vector_key = *base64_decode(
      "SERsIYhgMVlJB6uPsq49gCxNiruf6v0vhMYE+lfzbSGcXjdViZdV/e5pEMTYtw9f8SkVLf4LFlLCc2KxtRZfCA==");
  EXPECT_EQ(shared_key_signature(zeros, 1024, "Mon, 04 Apr 2016 08:00:00 GMT"),
            "zojk/3+/ka8Ka8GD6XmesWTfJU6p+aBbYLPsPWeEhww=");
  EXPECT_EQ(shared_key_signature(vector_key, 1024, "Mon, 04 Apr 2016 08:00:00 GMT"),
            "9WOOz5W3lYV8+wcm1hn0Z+Qbwms0CpeReXxZI4uyNik=");
  EXPECT_EQ(shared_key_signature(vector_key, std::string(R"([{"message":"hello"}])").size(),
                                 "Wed, 01 Jan 2020 00:00:00 GMT"),
            "aqk1wAe2ox5Q+c+yfr1LQLV096eb7OL00fhCwsa/S6w=");
  EXPECT_EQ(shared_key_signature(zeros, 159, "2000-01-01T00:00:00"),
            "XbHKAvGr03HLLReEZHtJwDgykdxjruQesZ8FgRH9qi4=");
}

TEST(DataCollectorRow, TakesSuffixesOffAndLeavesTimeToTheHeader) {
  std::string out;
  data_collector_row(
      R"({"TimeGenerated":"2026-01-01T00:00:00.000Z","Severity":8,"SeverityLabel_s":"High",)"
      R"("type_s":"Recon:EC2/PortProbeUnprotectedPort","service_count_d":3,"service_archived_b":false,)"
      R"("updatedAt_t":"2026-01-01T00:00:00.000Z","accountId_g":"x","AdditionalFields":{"a":[1,2]}})",
      out);
  EXPECT_EQ(out,
            R"({"SeverityLabel":"High","type":"Recon:EC2/PortProbeUnprotectedPort",)"
            R"("service_count":3,"service_archived":false,"updatedAt":"2026-01-01T00:00:00.000Z",)"
            R"("accountId":"x","AdditionalFields":"{\"a\":[1,2]}"})");
}

TEST(DataCollectorProtocol, SignsEveryRequestAsTheServiceChecksIt) {
  DataCollectorOptions options;
  options.endpoint = "https://7e1d3b9a-0000-4000-8000-000000000006.ods.opinsights.azure.com";
  options.workspace_id = "7e1d3b9a-0000-4000-8000-000000000006";
  options.shared_key = Secret(std::string(86, 'A') + "==");
  options.clock = [] { return *parse_iso8601("2016-04-04T08:00:00Z"); };
  DataCollectorProtocol protocol(options);
  http::Request request = protocol.request(std::string(1024, ' '), "id-1", {});
  EXPECT_EQ(request.url, options.endpoint + "/api/logs?api-version=2016-04-01");
  EXPECT_EQ(http::find_header(request.headers, "x-ms-date"), "Mon, 04 Apr 2016 08:00:00 GMT");
  EXPECT_EQ(http::find_header(request.headers, "Authorization"),
            "SharedKey 7e1d3b9a-0000-4000-8000-000000000006:"
            "zojk/3+/ka8Ka8GD6XmesWTfJU6p+aBbYLPsPWeEhww=");
  EXPECT_EQ(http::find_header(request.headers, "Content-Type"), "application/json");
  EXPECT_EQ(http::find_header(request.headers, "Log-Type"), "AWSGuardDuty");
  EXPECT_EQ(http::find_header(request.headers, "time-generated-field"), "updatedAt");
}

TEST(DataCollectorProtocol, RefusesAKeyThatIsNotBase64WithoutQuotingIt) {
  DataCollectorOptions options;
  options.shared_key = Secret("not base64 at all: hunter2");
  try {
    DataCollectorProtocol protocol(options);
    FAIL() << "accepted a bad key";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()).find("hunter2"), std::string::npos);
  }
}

TEST(DataCollectorProtocol, JudgesAnswersByTheirErrorCode) {
  DataCollectorOptions options;
  options.workspace_id = "7e1d3b9a-0000-4000-8000-000000000006";
  options.shared_key = Secret(std::string(86, 'A') + "==");
  DataCollectorProtocol protocol(options);
  using K = Verdict::Kind;
  EXPECT_EQ(protocol.judge(answer(200)).kind, K::kAccepted);
  EXPECT_EQ(protocol.judge(answer(400, R"({"Error":"InvalidDataFormat","Message":"x"})")).kind,
            K::kBadRecords);
  EXPECT_EQ(protocol.judge(answer(400, R"({"Error":"InvalidLogType","Message":"x"})")).kind,
            K::kFatal);
  Verdict forbidden = protocol.judge(answer(403, R"({"Error":"InvalidAuthorization"})"));
  EXPECT_EQ(forbidden.kind, K::kFatal);
  EXPECT_NE(forbidden.detail.find("shared_key"), std::string::npos);
  EXPECT_EQ(protocol.judge(answer(404)).kind, K::kFatal);
  for (long status : {408, 429, 500, 503})
    EXPECT_EQ(protocol.judge(answer(status)).kind, K::kRetry);
}

TEST(LogsIngestionProtocol, PostsGzipToTheStreamWithABearerToken) {
  auto tokens = std::make_shared<test::FakeTokens>();
  LogsIngestionProtocol protocol({"https://dce.example", "dcr-0123", "Custom-GuardDutyFinding", 6},
                                 tokens);
  http::Request request = protocol.request("body", "3f2b8c1e-7d4a-4b9e-9c2f-0a1b2c3d4e5f", {});
  EXPECT_EQ(request.url,
            "https://dce.example/dataCollectionRules/dcr-0123/streams/Custom-GuardDutyFinding"
            "?api-version=2023-01-01");
  EXPECT_EQ(http::find_header(request.headers, "Authorization"), "Bearer token-0");
  EXPECT_EQ(http::find_header(request.headers, "Content-Encoding"), "gzip");
  EXPECT_EQ(http::find_header(request.headers, "Content-Type"), "application/json");
  EXPECT_EQ(http::find_header(request.headers, "x-ms-client-request-id"),
            "3f2b8c1e-7d4a-4b9e-9c2f-0a1b2c3d4e5f");
  protocol.renew_auth(request);
  EXPECT_EQ(http::find_header(protocol.request("body", "id", {}).headers, "Authorization"),
            "Bearer token-1");
}

TEST(LogsIngestionProtocol, JudgesEachStatusAsReferenceSection8Says) {
  auto tokens = std::make_shared<test::FakeTokens>();
  LogsIngestionProtocol protocol({"https://dce.example", "dcr-0123", "Custom-X", 6}, tokens);
  using K = Verdict::Kind;
  EXPECT_EQ(protocol.judge(answer(204)).kind, K::kAccepted);
  Verdict bad = protocol.judge(
      answer(400, R"({"error":{"code":"InvalidContent","message":"record 3: column Severity"}})"));
  EXPECT_EQ(bad.kind, K::kBadRecords);
  EXPECT_NE(bad.detail.find("InvalidContent: record 3: column Severity"), std::string::npos);
  EXPECT_EQ(protocol.judge(answer(401)).kind, K::kRenewAuth);
  Verdict forbidden = protocol.judge(answer(403, R"({"error":{"code":"OperationFailed"}})"));
  EXPECT_EQ(forbidden.kind, K::kFatal);
  EXPECT_NE(forbidden.detail.find("Monitoring Metrics Publisher"), std::string::npos);
  EXPECT_NE(forbidden.detail.find("dcr-0123"), std::string::npos);
  EXPECT_EQ(protocol.judge(answer(404)).kind, K::kFatal);
  EXPECT_EQ(protocol.judge(answer(413)).kind, K::kSplit);
  for (long status : {408, 429, 500, 502, 503, 504})
    EXPECT_EQ(protocol.judge(answer(status)).kind, K::kRetry) << status;
  EXPECT_EQ(protocol.judge(answer(415)).kind, K::kFatal);
}

TEST(LogsIngestionProtocol, OnlyTwoHundredFourCommitsAnotherTwoHundredIsAnError) {
  auto tokens = std::make_shared<FakeTokens>();
  LogsIngestionProtocol protocol(LogsIngestionOptions{"https://dce.test", "dcr-1", "Custom-T", 1},
                                 tokens);
  EXPECT_EQ(protocol.judge(answer(204)).kind, Verdict::Kind::kAccepted);
  for (long status : {200L, 201L, 202L}) {
    http::Response proxy = answer(status);
    proxy.body = "<html>Proxy login</html>";
    Verdict verdict = protocol.judge(proxy);
    EXPECT_EQ(verdict.kind, Verdict::Kind::kFatal) << status;
    EXPECT_NE(verdict.detail.find("Proxy login"), std::string::npos) << verdict.detail;
    EXPECT_NE(verdict.detail.find("answers 204 on success"), std::string::npos) << verdict.detail;
  }
}

}  // namespace
}  // namespace gd2s
