// The cache in front of every token provider: Entra and IMDS are asked once an hour or so, not
// once a request, and never by two threads at once.

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <optional>

#include "azure/token_providers.h"
#include "core/mutex.h"

namespace gd2s::azure {
namespace {

// Renew this long before expiry, as the Azure SDKs do: a request signed with the token still
// has time to arrive, and a failed renewal still has time to be retried.
constexpr auto kRenewBefore = std::chrono::minutes(5);
// A token with less left than this is not worth keeping when its renewal fails.
constexpr auto kStillUsable = std::chrono::minutes(1);

class TokenCache final : public TokenProvider {
 public:
  TokenCache(TokenProviderPtr inner, Clock clock)
      : inner_(std::move(inner)), clock_(std::move(clock)) {}

  AccessToken token(std::stop_token stop) override {
    // One renewal at a time: the others wait on the lock and find the fresh token.
    MutexLock lock(mutex_);
    Timestamp now = clock_();
    if (cached_ && cached_->expires_at - now > kRenewBefore) return *cached_;
    try {
      cached_ = inner_->token(stop);
      ++renewals_;
      spdlog::debug("Azure token from {} renewed; it expires at {}", inner_->describe(),
                    format_iso8601(cached_->expires_at));
    } catch (const TokenError& error) {
      if (cached_ && cached_->expires_at - now > kStillUsable) {
        spdlog::warn("renewing the Azure token failed ({}); the current one stays valid until {}",
                     error.what(), format_iso8601(cached_->expires_at));
        return *cached_;
      }
      throw;
    }
    return *cached_;
  }

  void invalidate(const AccessToken& rejected) override {
    MutexLock lock(mutex_);
    // Another thread may have renewed it since: only the rejected token is dropped.
    if (cached_ && cached_->value.reveal() == rejected.value.reveal()) cached_.reset();
  }

  std::string describe() const override { return inner_->describe(); }
  uint64_t renewals() const override { return renewals_; }

 private:
  TokenProviderPtr inner_;
  Clock clock_;
  Mutex mutex_;
  std::optional<AccessToken> cached_ GUARDED_BY(mutex_);
  std::atomic<uint64_t> renewals_{0};
};

}  // namespace

TokenProviderPtr make_token_cache(TokenProviderPtr inner, Clock clock) {
  return std::make_shared<TokenCache>(std::move(inner), std::move(clock));
}

}  // namespace gd2s::azure
