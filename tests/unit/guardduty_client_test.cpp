// The GuardDuty API client (requests as sent, paging, errors and their fixes), the watermark of
// the guardduty_api source, and its config table.

#include "aws/guardduty_client.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "app/config.h"
#include "sources/guardduty_api/watermark.h"
#include "support/fixed_credentials.h"
#include "support/scripted_http.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;

using test::FixedCredentials;
using test::ScriptedHttp;

struct Fixture {
  explicit Fixture(std::vector<http::Response> answers, int attempts = 3)
      : http(std::make_shared<ScriptedHttp>(std::move(answers))),
        client(http, std::make_shared<FixedCredentials>(),
               aws::GuardDutySettings{"eu-west-1", {}, {1ms, 5ms, attempts}}) {}
  std::shared_ptr<ScriptedHttp> http;
  aws::GuardDutyClient client;
};

http::Response error_answer(long status, const std::string& type, const std::string& message) {
  return {status,
          {{"x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/"}},
          R"({"message":")" + message + R"(","__type":")" + type + R"("})"};
}

std::string header(const http::Request& request, std::string_view name) {
  return std::string(http::find_header(request.headers, name));
}

constexpr const char* kDetector = "12abc34d567e8fa901bc2d34e56789f0";

// --- requests as sent ---------------------------------------------------------------------------

TEST(GuardDutyClient, ListFindingsAsksForUpdatedAtSinceOldestFirstFiftyAPage) {
  EXPECT_EQ(
      aws::list_findings_body(1717000000000, ""),
      R"({"findingCriteria":{"criterion":{"updatedAt":{"greaterThanOrEqual":1717000000000}}},)"
      R"("sortCriteria":{"attributeName":"updatedAt","orderBy":"ASC"},"maxResults":50})");
  EXPECT_NE(aws::list_findings_body(5, "tok\"en").find(R"("nextToken":"tok\"en")"),
            std::string::npos);
  EXPECT_EQ(
      aws::get_findings_body({"a", "b"}),
      R"({"findingIds":["a","b"],"sortCriteria":{"attributeName":"updatedAt","orderBy":"ASC"}})");
}

TEST(GuardDutyClient, RequestsAreSignedForGuardDutyOnTheRestJsonPaths) {
  Fixture f({{200, {}, R"({"detectorIds":["d1"],"nextToken":"n/1+="})"},
             {200, {}, R"({"detectorIds":["d2"]})"},
             {200, {}, R"({"findingIds":["f1"]})"}});
  EXPECT_EQ(f.client.all_detectors(), (std::vector<std::string>{"d1", "d2"}));
  f.client.list_findings(kDetector, 42, "");
  ASSERT_EQ(f.http->requests.size(), 3u);
  const http::Request& first = f.http->requests[0];
  EXPECT_EQ(first.method, "GET");
  EXPECT_EQ(first.url, "https://guardduty.eu-west-1.amazonaws.com/detector?maxResults=50");
  EXPECT_EQ(
      f.http->requests[1].url,
      "https://guardduty.eu-west-1.amazonaws.com/detector?maxResults=50&nextToken=n%2F1%2B%3D");
  EXPECT_NE(header(first, "Authorization").find("/eu-west-1/guardduty/aws4_request"),
            std::string::npos);
  EXPECT_EQ(header(first, "Content-Type"), "") << "a GET has no body";
  const http::Request& list = f.http->requests[2];
  EXPECT_EQ(list.method, "POST");
  EXPECT_EQ(list.url, std::string("https://guardduty.eu-west-1.amazonaws.com/detector/") +
                          kDetector + "/findings");
  EXPECT_EQ(header(list, "Content-Type"), "application/json");
  EXPECT_EQ(list.body, aws::list_findings_body(42, ""));
}

TEST(GuardDutyClient, GetFindingsSendsAtMostFiftyIdsACallAndKeepsEachFindingAsSent) {
  std::vector<std::string> ids;
  for (int i = 0; i < 60; ++i) ids.push_back("f" + std::to_string(i));
  std::string api_shape =
      R"({"id":"f0","updatedAt":"2026-03-01T00:00:01.500Z","service":{"additionalInfo":{"value":"{\"sample\":true}","type":"default"}}})";
  Fixture f({{200, {}, R"({"findings":[)" + api_shape + R"(,{"id":"f1"}]})"},
             {200, {}, R"({"findings":[]})"}});
  std::vector<aws::ApiFinding> findings = f.client.get_findings(kDetector, ids);
  ASSERT_EQ(f.http->requests.size(), 2u);
  simdjson::dom::parser parser;
  EXPECT_EQ(simdjson::dom::array(parser.parse(f.http->requests[0].body)["findingIds"]).size(), 50u);
  EXPECT_EQ(simdjson::dom::array(parser.parse(f.http->requests[1].body)["findingIds"]).size(), 10u);
  EXPECT_TRUE(f.http->requests[0].url.ends_with("/findings/get"));
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].id, "f0");
  EXPECT_EQ(findings[0].json, api_shape) << "additionalInfo {value, type} is kept as sent";
  EXPECT_EQ(findings[0].updated_at_ms, 1772323201500);
  EXPECT_FALSE(findings[1].updated_at_ms.has_value());
}

// --- retries and errors -------------------------------------------------------------------------

TEST(GuardDutyClient, ThrottlingAndServerErrorsAreRetried) {
  Fixture f({error_answer(429, "TooManyRequestsException", "Rate exceeded"),
             error_answer(400, "TooManyRequestsException", "Rate exceeded"),
             {503, {}, ""},
             {200, {}, R"({"detectorIds":[]})"}},
            5);
  EXPECT_TRUE(f.client.list_detectors().ids.empty());
  EXPECT_EQ(f.http->requests.size(), 4u);
}

TEST(GuardDutyClient, AccessDeniedNamesTheActionAndItsResource) {
  auto denied = error_answer(403, "AccessDeniedException",
                             "User: arn:aws:iam::1:user/x is not authorized to perform: "
                             "guardduty:GetFindings");
  aws::ServiceError get =
      aws::guardduty_error(denied, aws::ops::kGetFindings, "eu-west-1", kDetector);
  EXPECT_EQ(get.code(), "AccessDeniedException");
  EXPECT_NE(std::string(get.what())
                .find("GetFindings on detector " + std::string(kDetector) +
                      " in eu-west-1 failed: HTTP 403"),
            std::string::npos)
      << get.what();
  EXPECT_NE(
      std::string(get.what())
          .find("needs guardduty:GetFindings on arn:aws:guardduty:eu-west-1:ACCOUNT:detector/" +
                std::string(kDetector)),
      std::string::npos)
      << get.what();
  aws::ServiceError list = aws::guardduty_error(denied, aws::ops::kListDetectors, "eu-west-1", "");
  EXPECT_NE(std::string(list.what()).find("needs guardduty:ListDetectors on \"*\""),
            std::string::npos)
      << list.what();
  Fixture f({denied});
  try {
    f.client.list_findings(kDetector, 0);
    FAIL() << "expected AccessDenied";
  } catch (const aws::ServiceError& error) {
    EXPECT_NE(std::string(error.what()).find("guardduty:ListFindings"), std::string::npos);
    EXPECT_EQ(f.http->requests.size(), 1u) << "a refusal is not retried";
  }
}

TEST(GuardDutyClient, AnUnknownDetectorIsRecognisedAndExplained) {
  auto unknown = error_answer(
      400, "BadRequestException",
      "The request is rejected because the input detectorId is not owned by the current account.");
  aws::ServiceError error =
      aws::guardduty_error(unknown, aws::ops::kListFindings, "eu-west-1", kDetector);
  EXPECT_TRUE(aws::detector_not_found(error));
  EXPECT_NE(std::string(error.what()).find("aws guardduty list-detectors --region eu-west-1"),
            std::string::npos)
      << error.what();
  aws::ServiceError other = aws::guardduty_error(
      error_answer(400, "BadRequestException", "The parameter maxResults has an invalid value."),
      aws::ops::kListFindings, "eu-west-1", kDetector);
  EXPECT_FALSE(aws::detector_not_found(other));
}

TEST(GuardDutyClient, ErrorCodesComeFromTheHeaderOrTheBody) {
  EXPECT_EQ(aws::guardduty_error_code(error_answer(400, "BadRequestException", "x")),
            "BadRequestException");
  EXPECT_EQ(aws::guardduty_error_code({403, {}, R"({"__type":"a.b#UnrecognizedClientException"})"}),
            "UnrecognizedClientException");
  EXPECT_EQ(aws::guardduty_error_code({502, {}, "<html>"}), "");
  aws::ServiceError signature = aws::guardduty_error(
      error_answer(403, "InvalidSignatureException", "Signature expired\nCanonical: secret"),
      aws::ops::kListDetectors, "eu-west-1", "");
  EXPECT_EQ(std::string(signature.what()).find("Canonical"), std::string::npos)
      << "only the first line of the service's message";
  EXPECT_NE(std::string(signature.what()).find("clock"), std::string::npos);
}

// --- the watermark ------------------------------------------------------------------------------

TEST(GuardDutyWatermark, AdvancesOnlyOverTheCommittedPrefix) {
  FindingWatermark w(100);
  w.begin_pass();
  uint64_t p1 = w.opened(100, 110);
  uint64_t p2 = w.opened(110, 120);
  uint64_t p3 = w.opened(121, 130);
  EXPECT_FALSE(w.end_pass(true));
  EXPECT_FALSE(w.committed(p2)) << "page 1 is still open";
  EXPECT_EQ(w.value(), 100);
  EXPECT_TRUE(w.committed(p1));
  EXPECT_EQ(w.value(), 121) << "the smallest updatedAt not committed";
  EXPECT_TRUE(w.committed(p3));
  EXPECT_EQ(w.value(), 130) << "all committed: the newest updatedAt (re-read at the boundary)";
  EXPECT_EQ(w.resume_from(), 130);
  EXPECT_EQ(w.open_pages(), 0u);
}

TEST(GuardDutyWatermark, WhileListingItHoldsAtTheNewestPage) {
  FindingWatermark w(0);
  w.begin_pass();
  uint64_t p1 = w.opened(10, 20);
  EXPECT_TRUE(w.committed(p1));
  EXPECT_EQ(w.value(), 10) << "page 2 is not listed yet: it may start at 20";
  // A finding updated between ListFindings and GetFindings carries a far newer updatedAt.
  uint64_t p2 = w.opened(20, 9000);
  w.committed(p2);
  EXPECT_EQ(w.value(), 20) << "the listing has not passed 20 yet";
  uint64_t p3 = w.opened(25, 30);
  w.committed(p3);
  EXPECT_EQ(w.value(), 25);
  w.end_pass(true);
  EXPECT_EQ(w.value(), 9000);
}

TEST(GuardDutyWatermark, AnInterruptedPassResumesAtItsNewestPage) {
  FindingWatermark w(0);
  w.begin_pass();
  w.committed(w.opened(10, 20));
  w.committed(w.opened(20, 35));
  w.end_pass(false);  // a stop, or GetFindings failed for the next page
  EXPECT_EQ(w.value(), 20);
  EXPECT_EQ(w.resume_from(), 20);
  w.begin_pass();
  w.committed(w.opened(20, 50));
  w.end_pass(true);
  EXPECT_EQ(w.value(), 50);
  EXPECT_EQ(w.resume_from(), 50);
}

TEST(GuardDutyWatermark, NeverGoesBackForALookbackOrAnEmptyPass) {
  FindingWatermark w(1000);
  w.begin_pass();
  EXPECT_FALSE(w.end_pass(true));
  EXPECT_EQ(w.value(), 1000);
  w.begin_pass();
  uint64_t early = w.opened(700, 1200);  // listed from 1000 minus a lookback
  EXPECT_EQ(w.value(), 1000);
  w.committed(early);
  w.end_pass(true);
  EXPECT_EQ(w.value(), 1200);
  EXPECT_FALSE(w.committed(early)) << "a page commits once";
}

// --- [source.guardduty_api] ---------------------------------------------------------------------

Config parse(const std::string& source) {
  return parse_config(source + "\n[sink.file]\npath = \"-\"\n", "test.toml");
}

std::string issues_of(const std::string& source) {
  try {
    parse(source);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(GuardDutyApiConfig, ReadsEveryKeyWithItsDefaults) {
  Config minimal = parse("[source.guardduty_api]\nregions = [\"eu-west-1\"]");
  ASSERT_TRUE(minimal.guardduty_api_source);
  EXPECT_EQ(minimal.guardduty_api_source->regions, (std::vector<std::string>{"eu-west-1"}));
  EXPECT_TRUE(minimal.guardduty_api_source->detector_ids.empty());
  EXPECT_EQ(minimal.guardduty_api_source->since, "");
  EXPECT_EQ(minimal.guardduty_api_source->interval, 5min);
  EXPECT_EQ(minimal.guardduty_api_source->lookback, 5min);
  Config full = parse(
      "[source.guardduty_api]\nregions = [\"eu-west-1\", \"us-east-1\"]\n"
      "detector_ids = [\"eu-west-1/abc1\", \"us-east-1/def2\"]\nsince = \"2026-01-01\"\n"
      "interval = \"1m\"\nlookback = \"0s\"");
  EXPECT_EQ(full.guardduty_api_source->detector_ids.size(), 2u);
  EXPECT_EQ(full.guardduty_api_source->since, "2026-01-01");
  EXPECT_EQ(full.guardduty_api_source->interval, 1min);
  EXPECT_EQ(full.guardduty_api_source->lookback, 0s);
}

TEST(GuardDutyApiConfig, ExplainsEachMistakeWithItsKey) {
  EXPECT_NE(issues_of("[source.guardduty_api]\n").find("source.guardduty_api.regions: is required"),
            std::string::npos);
  EXPECT_NE(issues_of("[source.guardduty_api]\nregions = [\"Ireland\"]").find("not an AWS Region"),
            std::string::npos);
  EXPECT_NE(issues_of("[source.guardduty_api]\nregions = [\"eu-west-1\", \"us-east-1\"]\n"
                      "detector_ids = [\"abc\"]")
                .find("names no Region"),
            std::string::npos);
  EXPECT_NE(issues_of("[source.guardduty_api]\nregions = [\"eu-west-1\", \"us-east-1\"]\n"
                      "detector_ids = [\"eu-west-1/abc\"]")
                .find("names no detector in us-east-1"),
            std::string::npos);
  EXPECT_NE(issues_of("[source.guardduty_api]\nregions = [\"eu-west-1\"]\nsince = \"yesterday\"")
                .find("since: must be a date"),
            std::string::npos);
  EXPECT_NE(issues_of("[source.guardduty_api]\nregions = [\"eu-west-1\"]\nlookbak = \"1m\"")
                .find("lookback"),
            std::string::npos)
      << "did you mean";
  EXPECT_NE(issues_of("[source.guardduty_api]\nregions = [\"eu-west-1\"]\n"
                      "[source.sqs]\nqueue_url = \"https://sqs.eu-west-1.amazonaws.com/1/q\"")
                .find("more than one kind"),
            std::string::npos);
}

}  // namespace
}  // namespace gd2s
