#pragma once
// Microsoft Entra ID access tokens for the Azure sinks, and the interface every way of getting
// one (client secret, certificate, workload identity, managed identity) stands behind.

#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>

#include "core/credential_error.h"
#include "core/redaction.h"
#include "core/secret.h"
#include "core/time.h"

namespace gd2s::azure {

struct AccessToken {
  Secret value;  // the bearer token; never logged
  Timestamp expires_at;
};

/// No token could be had; the message names the identity, the endpoint and Entra's error
/// (AADSTS code and description), never a secret, an assertion or a token (redacted as for any
/// CredentialUnavailable).
class TokenError : public CredentialUnavailable {
 public:
  using CredentialUnavailable::CredentialUnavailable;
};

class TokenProvider {
 public:
  virtual ~TokenProvider() = default;
  /// A token valid for at least a few more minutes: cached, renewed five minutes before it
  /// expires, one renewal at a time however many threads ask. Throws TokenError.
  virtual AccessToken token(std::stop_token stop = {}) = 0;
  /// Drops the cached token if it is still `rejected` (the service answered 401 to it), so the
  /// next token() asks Entra afresh. Another thread may already have renewed it.
  virtual void invalidate(const AccessToken& rejected) = 0;
  /// "client secret for app 0e9c…/tenant 3d6f…", "managed identity (system-assigned)", … for
  /// logs and `check`.
  virtual std::string describe() const = 0;
  /// How many tokens were obtained from Entra or IMDS (renewals), for metrics and tests.
  virtual uint64_t renewals() const = 0;
};

using TokenProviderPtr = std::shared_ptr<TokenProvider>;

}  // namespace gd2s::azure
