// Compact JWS (RFC 7515) tokens signed with RS256 or PS256: parsing,
// signature checks, time checks and signing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "crypto.h"

namespace wsemu {

/// A parsed (not yet trusted) JWT.
struct Jwt {
  rapidjson::Document header;
  rapidjson::Document payload;
  std::string signing_input;  // "<header b64>.<payload b64>"
  std::string signature;      // raw bytes

  std::optional<std::string> header_string(const char* name) const;
  std::optional<std::string> claim_string(const char* name) const;
  std::optional<std::int64_t> claim_int(const char* name) const;
  /// "aud" as a string, or the first element when it is an array.
  std::optional<std::string> audience() const;
};

/// Splits and decodes a compact JWT; on failure returns nullopt and says why.
std::optional<Jwt> parse_jwt(std::string_view token, std::string* error);

/// Checks the signature with `key`, using the algorithm the header names
/// (RS256 or PS256 only: "none" and HMAC algorithms are refused).
bool verify_jwt_signature(const Jwt& jwt, EVP_PKEY* key);

/// Result of the exp/nbf checks.
enum class TimeCheck { Valid, Expired, NotYetValid, MissingExpiry };
TimeCheck check_jwt_times(const Jwt& jwt, std::int64_t now, std::int64_t leeway_seconds);

/// Signs header and payload JSON (compact text) into a compact JWT.
std::string sign_jwt(std::string_view header_json, std::string_view payload_json, EVP_PKEY* key,
                     SignatureAlg alg);

}  // namespace wsemu
