#pragma once
// A request could not be given its credential (an access token, a signing key): what a sink
// needs to know of any identity provider, whatever the protocol behind it.

#include <stdexcept>
#include <string>

#include "core/redaction.h"

namespace gd2s {

class CredentialUnavailable : public std::runtime_error {
 public:
  /// `transient`: worth retrying later (no answer, 429, 5xx), as opposed to a refusal that only
  /// a change of configuration fixes (wrong secret, unknown tenant or application).
  /// The message is redacted (core/redaction.h): identity endpoints may echo what they were sent.
  explicit CredentialUnavailable(const std::string& message, bool transient = false)
      : std::runtime_error(redact(message)), transient_(transient) {}
  bool transient() const { return transient_; }

 private:
  bool transient_;
};

}  // namespace gd2s
