// Validation of a client assertion (REFERENCE.md §7.3, §7.4): either a
// certificate credential — a JWT the application signed (RS256 or PS256)
// whose x5t#S256 (or legacy x5t) header names one of its certificates, with
// iss = sub = client id, aud = the token endpoint, exp/nbf and jti — or a
// federated credential: a token from a configured issuer about a configured
// subject for a configured audience.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "entra_errors.h"
#include "tokens.h"

namespace wsemu {

struct AssertionContext {
  const Application* app = nullptr;
  /// The values "aud" may take for a certificate assertion: the tenant's
  /// token endpoint URL and its variants.
  std::vector<std::string> token_endpoint_audiences;
  const TokenSigner* emulator_signer = nullptr;  // for federated credentials without keys
  std::int64_t now = 0;
  std::int64_t leeway_seconds = 300;
};

/// nullopt when the assertion authenticates the application.
std::optional<EntraError> validate_client_assertion(std::string_view assertion, const AssertionContext& context);

}  // namespace wsemu
