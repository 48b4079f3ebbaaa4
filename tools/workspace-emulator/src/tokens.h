// Access tokens the emulator issues (JWTs it signs with its own RSA key) and
// their verification by the resource endpoints.
#pragma once

#include <rapidjson/stringbuffer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto.h"

namespace wsemu {

struct AccessTokenClaims {
  std::string tenant_id;
  std::string audience;
  std::string app_id;     // client id of the application or managed identity
  std::string object_id;  // service principal object id
  std::string app_id_acr;  // "1" secret, "2" certificate or assertion, "0" managed identity
  std::string mi_resource_id;  // xms_mirid, for user-assigned managed identities
  std::int64_t lifetime_seconds = 3599;
};

/// Why a bearer token was refused, for endpoints that word it their own way (ARM).
enum class TokenFailure {
  None,
  MissingHeader,
  NotBearer,
  Malformed,
  BadSignature,
  NotYetValid,
  Expired,
  WrongAudience
};

/// What a resource endpoint learns from a bearer token. The claims are filled
/// in as soon as the token parses, even when a later check refuses it.
struct TokenCheck {
  bool ok = false;
  TokenFailure failure = TokenFailure::None;
  std::string code;     // the error code the Logs Ingestion API answers with
  std::string message;  // its message
  std::string tenant_id;
  std::string app_id;
  std::string object_id;
  std::string audience;
  std::string issuer;
  std::int64_t expires_at = 0;  // "exp", epoch seconds
};

class TokenSigner {
 public:
  explicit TokenSigner(PKey key);

  const std::string& key_id() const { return key_id_; }
  EVP_PKEY* key() const { return key_.get(); }

  std::string issue(const AccessTokenClaims& claims, std::int64_t now) const;

  /// A JWT for workload identity federation (an OIDC issuer's token, e.g. a
  /// Kubernetes service-account token), signed with the emulator's key.
  std::string issue_federated(const std::string& issuer, const std::string& subject,
                              const std::string& audience, std::int64_t lifetime_seconds,
                              std::int64_t now) const;

  /// {"keys":[…]}: the public signing key as a JWKS document.
  std::string jwks_json() const;

  /// Checks signature, lifetime and audience of "Bearer <token>" as the Logs
  /// Ingestion API does. Audiences compare without trailing '/'.
  TokenCheck verify_bearer(std::string_view authorization_header,
                           const std::vector<std::string>& accepted_audiences, std::int64_t now) const;

 private:
  /// The JOSE header every token of this signer carries: RS256 with its key id.
  void write_header(rapidjson::StringBuffer& header) const;

  PKey key_;
  std::string key_id_;
};

/// A resource identifier without trailing slashes ("https://monitor.azure.com/" → "https://monitor.azure.com").
std::string normalize_resource(std::string_view resource);

}  // namespace wsemu
