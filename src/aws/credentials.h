#pragma once
// AWS credentials and the interface every provider (environment, profile, STS, container,
// instance metadata) stands behind.

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/secret.h"
#include "core/time.h"

namespace gd2s::aws {

struct AwsCredentials {
  std::string access_key_id;  // not a secret: it names the key, and appears in signatures
  Secret secret_access_key;
  Secret session_token;  // empty for long-term keys
  std::optional<Timestamp> expiration;
  std::string provider;  // which provider produced them, for logs and `check`
};

/// No provider could produce credentials; the message lists what was tried and why each failed.
class CredentialsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  /// Current credentials, refreshed as needed. Throws CredentialsError.
  virtual AwsCredentials credentials() = 0;
};

using CredentialProviderPtr = std::shared_ptr<CredentialProvider>;

}  // namespace gd2s::aws
