#include <spdlog/spdlog.h>

#include <cstdlib>

#include "aws/credential_providers.h"
#include "core/mutex.h"

namespace gd2s::aws {
namespace {

constexpr auto kRefreshBefore = std::chrono::minutes(5);

class CachingProvider final : public CredentialProvider {
 public:
  explicit CachingProvider(CredentialProviderPtr inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }

  AwsCredentials credentials() override {
    // One refresh at a time: concurrent callers wait for it and share its result.
    MutexLock lock(mutex_);
    Timestamp now = now_utc();
    if (cached_ && (!cached_->expiration || *cached_->expiration - now > kRefreshBefore))
      return *cached_;
    try {
      cached_ = inner_->credentials();
      if (cached_->expiration)
        spdlog::debug("AWS credentials from {} refreshed; they expire at {}", cached_->provider,
                      format_iso8601(*cached_->expiration));
    } catch (const CredentialsError& error) {
      if (cached_ && cached_->expiration && *cached_->expiration > now) {
        spdlog::warn("refreshing AWS credentials failed ({}); the current ones stay valid until {}",
                     error.what(), format_iso8601(*cached_->expiration));
        return *cached_;
      }
      throw;
    }
    return *cached_;
  }

 private:
  CredentialProviderPtr inner_;
  Mutex mutex_;
  std::optional<AwsCredentials> cached_ GUARDED_BY(mutex_);
};

class ChainProvider final : public CredentialProvider {
 public:
  explicit ChainProvider(std::vector<CredentialProviderPtr> providers)
      : providers_(std::move(providers)) {}
  std::string name() const override { return "default chain"; }

  AwsCredentials credentials() override {
    MutexLock lock(mutex_);
    if (chosen_) return chosen_->credentials();
    std::string tried;
    for (const CredentialProviderPtr& provider : providers_) {
      try {
        AwsCredentials credentials = provider->credentials();
        chosen_ = provider;
        spdlog::info("AWS credentials: {} (access key {})", credentials.provider,
                     credentials.access_key_id);
        return credentials;
      } catch (const CredentialsUnavailable& error) {
        tried += "\n  - " + provider->name() + ": skipped, " + error.what();
      } catch (const CredentialsError& error) {
        tried += "\n  - " + provider->name() + ": failed, " + error.what();
      }
    }
    throw CredentialsError("no AWS credentials found; tried:" + tried);
  }

 private:
  std::vector<CredentialProviderPtr> providers_;
  Mutex mutex_;
  CredentialProviderPtr chosen_ GUARDED_BY(mutex_);
};

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) {
    const char* value = std::getenv(name.c_str());
    return std::string(value != nullptr ? value : "");
  };
}

CredentialProviderPtr make_caching_provider(CredentialProviderPtr inner) {
  return std::make_shared<CachingProvider>(std::move(inner));
}

CredentialProviderPtr make_chain(std::vector<CredentialProviderPtr> providers) {
  return std::make_shared<ChainProvider>(std::move(providers));
}

CredentialProviderPtr make_default_chain(const ChainOptions& options,
                                         const http::HttpClientPtr& http) {
  std::vector<CredentialProviderPtr> providers;
  bool explicit_profile = !options.profile.empty() || !options.env("AWS_PROFILE").empty();
  // As in botocore: an explicitly chosen profile wins over keys in the environment.
  if (!explicit_profile)
    providers.push_back(make_caching_provider(make_environment_provider(options.env)));
  providers.push_back(make_caching_provider(make_profile_provider(options, http)));
  providers.push_back(make_caching_provider(make_web_identity_provider(options, http)));
  providers.push_back(make_caching_provider(make_container_provider(options.env, http)));
  providers.push_back(make_caching_provider(make_imds_provider(options.env, http)));
  CredentialProviderPtr chain = make_chain(std::move(providers));
  if (options.role_arn.empty()) return chain;
  return make_caching_provider(make_assume_role_provider(
      chain, options.role_arn, options.external_id, "gd2sentinel", options, http));
}

}  // namespace gd2s::aws
