// Fault rules: schedules, every Nth, rates, after/times, Retry-After forms,
// slow responses; and the per-rule rate limiter.
#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "faults.h"
#include "rate_limiter.h"

namespace wsemu {
namespace {

std::vector<FaultRule> rules(const char* json, std::string* error = nullptr) {
  rapidjson::Document doc;
  doc.Parse(json);
  return parse_fault_rules(doc, error);
}

std::vector<std::string> labels(FaultInjector& faults, Endpoint endpoint, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(faults.decide(endpoint, 0).label);
  return out;
}

TEST(Faults, FollowsASchedulePerEndpoint) {
  FaultInjector faults(1);
  faults.replace(rules(R"([{"endpoint":"logs_ingestion","status":503,"schedule":[2,3]}])"));
  EXPECT_EQ(labels(faults, Endpoint::LogsIngestion, 4), (std::vector<std::string>{"", "503", "503", ""}));
  EXPECT_EQ(labels(faults, Endpoint::Token, 3), (std::vector<std::string>{"", "", ""}));
}

TEST(Faults, NamesTheArmEndpointArm) {
  EXPECT_EQ(parse_endpoint("arm"), Endpoint::Arm);
  EXPECT_EQ(to_string(Endpoint::Arm), "arm");
  FaultInjector faults(1);
  faults.replace(rules(R"([{"endpoint":"arm","status":429,"retry_after":3,"schedule":[1]}])"));
  EXPECT_EQ(labels(faults, Endpoint::LogsIngestion, 1), (std::vector<std::string>{""}));
  const auto decision = faults.decide(Endpoint::Arm, 0);
  EXPECT_EQ(decision.status, 429);
  EXPECT_EQ(decision.retry_after, "3");
  EXPECT_NE(faults.to_json().find("\"arm\":1"), std::string::npos);
}

TEST(Faults, HitsEveryNthRequestAfterTheFirstOnesAtMostTimes) {
  FaultInjector faults(1);
  faults.replace(rules(R"([{"status":500,"every":2,"after":1,"times":2}])"));
  EXPECT_EQ(labels(faults, Endpoint::DataCollector, 8),
            (std::vector<std::string>{"", "", "500", "", "500", "", "", ""}));
}

TEST(Faults, RatesOfZeroAndOne) {
  FaultInjector faults(7);
  faults.replace(rules(R"([{"status":429,"rate":0}])"));
  EXPECT_EQ(labels(faults, Endpoint::LogsIngestion, 3), (std::vector<std::string>{"", "", ""}));
  faults.replace(rules(R"([{"status":429,"rate":1}])"));
  EXPECT_EQ(labels(faults, Endpoint::LogsIngestion, 2), (std::vector<std::string>{"429", "429"}));
}

TEST(Faults, ARateHitsRoughlyThatShare) {
  FaultInjector faults(42);
  faults.replace(rules(R"([{"status":503,"rate":0.25}])"));
  int hits = 0;
  for (int i = 0; i < 4000; ++i) hits += faults.decide(Endpoint::LogsIngestion, 0).kind ? 1 : 0;
  EXPECT_NEAR(hits, 1000, 120);
}

TEST(Faults, SendsRetryAfterInSecondsOrAsAnHttpDate) {
  FaultInjector faults(1);
  faults.replace(rules(R"([{"status":429,"retry_after":7,"schedule":[1]},
                           {"status":429,"retry_after":30,"retry_after_format":"http-date","schedule":[2]}])"));
  EXPECT_EQ(faults.decide(Endpoint::LogsIngestion, 1459756800).retry_after, "7");
  EXPECT_EQ(faults.decide(Endpoint::LogsIngestion, 1459756800).retry_after, "Mon, 04 Apr 2016 08:00:30 GMT");
}

TEST(Faults, SlowRulesDelayAndLetOtherRulesApply) {
  FaultInjector faults(1);
  faults.replace(rules(R"([{"kind":"slow","delay_ms":250},{"kind":"reset","schedule":[2]}])"));
  const auto first = faults.decide(Endpoint::Imds, 0);
  EXPECT_EQ(first.delay_ms, 250);
  EXPECT_FALSE(first.kind.has_value());
  const auto second = faults.decide(Endpoint::Imds, 0);
  EXPECT_EQ(second.kind, FaultKind::Reset);
  EXPECT_EQ(second.label, "slow 250ms,reset");
}

TEST(Faults, ReplacingRulesRestartsTheCount) {
  FaultInjector faults(1);
  faults.replace(rules(R"([{"status":503,"schedule":[1]}])"));
  EXPECT_EQ(faults.decide(Endpoint::Token, 0).status, 503);
  faults.replace(rules(R"([{"status":500,"schedule":[1]}])"));
  EXPECT_EQ(faults.decide(Endpoint::Token, 0).status, 500);
}

TEST(Faults, RefusesMalformedRules) {
  std::string error;
  EXPECT_TRUE(rules(R"([{"endpoint":"nowhere","status":500}])", &error).empty());
  EXPECT_NE(error.find("unknown endpoint"), std::string::npos);
  EXPECT_TRUE(rules(R"([{"kind":"status"}])", &error).empty());
  EXPECT_TRUE(rules(R"([{"status":200}])", &error).empty());
  EXPECT_TRUE(rules(R"([{"status":500,"rate":2}])", &error).empty());
  EXPECT_TRUE(rules(R"([{"status":500,"typo":1}])", &error).empty());
  EXPECT_NE(error.find("typo"), std::string::npos);
  EXPECT_TRUE(rules(R"({"status":500})", &error).empty());
}

TEST(RateLimiter, ThrottlesRequestsPerMinuteAndSaysHowLongToWait) {
  RateLimiter limiter;
  RateLimits limits{2, 0};
  EXPECT_EQ(limiter.admit("dcr", limits, 1, 0), 0);
  EXPECT_EQ(limiter.admit("dcr", limits, 1, 10'000), 0);
  EXPECT_EQ(limiter.admit("dcr", limits, 1, 20'000), 40);
  EXPECT_EQ(limiter.admit("dcr", limits, 1, 60'001), 0);
  EXPECT_EQ(limiter.admit("other", limits, 1, 20'000), 0);
}

TEST(RateLimiter, ThrottlesBytesPerMinute) {
  RateLimiter limiter;
  RateLimits limits{0, 1000};
  EXPECT_EQ(limiter.admit("dcr", limits, 600, 0), 0);
  EXPECT_EQ(limiter.admit("dcr", limits, 600, 30'000), 30);
  EXPECT_EQ(limiter.admit("dcr", limits, 400, 30'000), 0);
  EXPECT_EQ(limiter.admit("dcr", limits, 5000, 30'000), 60);
}

TEST(RateLimiter, NoLimitsAdmitEverything) {
  RateLimiter limiter;
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter.admit("dcr", RateLimits{}, 1 << 20, i), 0);
}

}  // namespace
}  // namespace wsemu
