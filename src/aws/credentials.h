#pragma once
// AWS credentials and the interface every provider (environment, profile, STS, container,
// instance metadata) stands behind.

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/redaction.h"
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
/// The message is redacted (core/redaction.h): STS and the metadata endpoints may echo what they
/// were sent (a web identity token, a container authorization token).
class CredentialsError : public std::runtime_error {
 public:
  explicit CredentialsError(const std::string& message) : std::runtime_error(redact(message)) {}
};

/// A provider that is not set up here (its variables or files are absent): the chain moves on.
class CredentialsUnavailable : public CredentialsError {
 public:
  using CredentialsError::CredentialsError;
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  /// Current credentials, refreshed as needed. Throws CredentialsUnavailable when this provider
  /// is not set up, CredentialsError when it is but fails.
  virtual AwsCredentials credentials() = 0;
  /// "environment", "profile default", "web identity", ... for messages.
  virtual std::string name() const = 0;
};

using CredentialProviderPtr = std::shared_ptr<CredentialProvider>;

}  // namespace gd2s::aws
