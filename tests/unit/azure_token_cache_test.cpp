// The Entra ID token cache: renewal five minutes before expiry, one renewal for many threads,
// invalidation of a rejected token, a valid token kept while renewal fails.

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "azure/token_providers.h"

namespace gd2s::azure {
namespace {

using namespace std::chrono_literals;

class FakeProvider final : public TokenProvider {
 public:
  std::function<AccessToken()> next;
  Duration delay{0};
  std::atomic<int> calls{0};

  AccessToken token(std::stop_token) override {
    ++calls;
    std::this_thread::sleep_for(delay);
    return next();
  }
  void invalidate(const AccessToken&) override {}
  std::string describe() const override { return "fake provider"; }
  uint64_t renewals() const override { return static_cast<uint64_t>(calls.load()); }
};

struct CacheFixture {
  std::shared_ptr<FakeProvider> inner = std::make_shared<FakeProvider>();
  std::shared_ptr<std::atomic<int64_t>> clock_seconds =
      std::make_shared<std::atomic<int64_t>>(1767225600);
  TokenProviderPtr cache;
  int issued = 0;
  Duration lifetime = 60min;

  CacheFixture() {
    inner->next = [this] {
      ++issued;
      return AccessToken{Secret("token-" + std::to_string(issued)), now() + lifetime};
    };
    cache = make_token_cache(
        inner, [clock = clock_seconds] { return Timestamp(std::chrono::seconds(clock->load())); });
  }
  Timestamp now() const { return Timestamp(std::chrono::seconds(clock_seconds->load())); }
  void advance(std::chrono::seconds by) { *clock_seconds += by.count(); }
};

TEST(AzureTokenCache, RenewsFiveMinutesBeforeExpiry) {
  CacheFixture f;
  EXPECT_EQ(f.cache->token().value.reveal(), "token-1");
  f.advance(54min + 59s);  // 5 min 1 s left
  EXPECT_EQ(f.cache->token().value.reveal(), "token-1");
  EXPECT_EQ(f.inner->calls, 1);
  f.advance(1s);  // exactly 5 min left
  EXPECT_EQ(f.cache->token().value.reveal(), "token-2");
  EXPECT_EQ(f.cache->token().value.reveal(), "token-2");
  EXPECT_EQ(f.inner->calls, 2);
  EXPECT_EQ(f.cache->renewals(), 2u);
  EXPECT_EQ(f.cache->describe(), "fake provider");
}

TEST(AzureTokenCache, TokensShorterThanFiveMinutesAreRenewedEveryTime) {
  CacheFixture f;
  f.lifetime = 4min;
  f.cache->token();
  f.cache->token();
  f.cache->token();
  EXPECT_EQ(f.cache->renewals(), 3u);
}

TEST(AzureTokenCache, OneRenewalForEightThreads) {
  CacheFixture f;
  f.inner->delay = 200ms;
  std::latch start(8);
  std::mutex mutex;
  std::vector<std::string> seen;
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      start.arrive_and_wait();
      std::string value = f.cache->token().value.reveal();
      std::lock_guard lock(mutex);
      seen.push_back(value);
    });
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(f.inner->calls, 1);
  EXPECT_EQ(f.cache->renewals(), 1u);
  ASSERT_EQ(seen.size(), 8u);
  for (const std::string& value : seen) EXPECT_EQ(value, "token-1");
}

TEST(AzureTokenCache, InvalidateDropsOnlyTheRejectedToken) {
  CacheFixture f;
  AccessToken first = f.cache->token();
  f.cache->invalidate(AccessToken{Secret("some-other-token"), first.expires_at});
  EXPECT_EQ(f.cache->token().value.reveal(), "token-1");
  EXPECT_EQ(f.inner->calls, 1);

  f.cache->invalidate(first);
  AccessToken second = f.cache->token();
  EXPECT_EQ(second.value.reveal(), "token-2");
  // A second thread's 401 for the first token arrives late: the renewed token stays.
  f.cache->invalidate(first);
  EXPECT_EQ(f.cache->token().value.reveal(), "token-2");
  EXPECT_EQ(f.cache->renewals(), 2u);
}

TEST(AzureTokenCache, KeepsAValidTokenWhileRenewalFails) {
  CacheFixture f;
  f.cache->token();
  f.inner->next = []() -> AccessToken { throw TokenError("Entra is down"); };
  f.advance(56min);  // 4 min left: renewal due, fails, the token still serves
  EXPECT_EQ(f.cache->token().value.reveal(), "token-1");
  f.advance(3min + 30s);  // 30 s left: not worth keeping
  EXPECT_THROW(f.cache->token(), TokenError);
  f.cache->invalidate(AccessToken{Secret("token-1"), f.now()});
  EXPECT_THROW(f.cache->token(), TokenError);
  EXPECT_EQ(f.cache->renewals(), 1u);
}

}  // namespace
}  // namespace gd2s::azure
