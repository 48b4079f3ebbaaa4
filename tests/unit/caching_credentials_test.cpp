// The credential cache: one refresh for many threads, five minutes before expiry.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "aws/credential_providers.h"

namespace gd2s::aws {
namespace {

using namespace std::chrono_literals;

// A provider whose credentials expire when the test says, counting refreshes.
class FakeProvider final : public CredentialProvider {
 public:
  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};
  Timestamp expiry = now_utc() + std::chrono::hours(1);
  std::string name() const override { return "fake"; }
  AwsCredentials credentials() override {
    ++calls;
    std::this_thread::sleep_for(20ms);
    if (fail) throw CredentialsError("fake failure");
    return {"AKIA" + std::to_string(calls.load()), Secret("s"), Secret(), expiry, "fake"};
  }
};

TEST(CachingCredentials, RefreshesFiveMinutesBeforeExpiryOneAtATime) {
  auto fake = std::make_shared<FakeProvider>();
  auto cached = make_caching_provider(fake);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) threads.emplace_back([&] { cached->credentials(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(fake->calls.load(), 1) << "concurrent callers share one fetch";
  fake->expiry = now_utc() + std::chrono::minutes(4);
  cached->credentials();  // still the cached hour-long ones
  EXPECT_EQ(fake->calls.load(), 1);
  auto short_lived = std::make_shared<FakeProvider>();
  short_lived->expiry = now_utc() + std::chrono::minutes(4);
  auto cached_short = make_caching_provider(short_lived);
  cached_short->credentials();
  cached_short->credentials();
  EXPECT_EQ(short_lived->calls.load(), 2) << "inside the five-minute window every call refreshes";
  short_lived->fail = true;
  EXPECT_EQ(cached_short->credentials().access_key_id, "AKIA2")
      << "a failed refresh keeps valid credentials";
}

}  // namespace
}  // namespace gd2s::aws
