#include "jwt.h"

#include "base64.h"
#include "json_util.h"

namespace wsemu {

std::optional<std::string> Jwt::header_string(const char* name) const {
  return string_member(header, name);
}

std::optional<std::string> Jwt::claim_string(const char* name) const {
  return string_member(payload, name);
}

std::optional<std::int64_t> Jwt::claim_int(const char* name) const {
  return int_member(payload, name);
}

std::optional<std::string> Jwt::audience() const {
  if (auto aud = claim_string("aud")) return aud;
  auto it = payload.FindMember("aud");
  if (it != payload.MemberEnd() && it->value.IsArray() && !it->value.Empty() &&
      it->value[0].IsString()) {
    return std::string(it->value[0].GetString(), it->value[0].GetStringLength());
  }
  return std::nullopt;
}

std::optional<Jwt> parse_jwt(std::string_view token, std::string* error) {
  auto fail = [&](const char* why) -> std::optional<Jwt> {
    if (error != nullptr) *error = why;
    return std::nullopt;
  };
  const auto first = token.find('.');
  if (first == std::string_view::npos) return fail("not a JWT: no '.' separators");
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return fail("not a compact JWS: expected three parts");
  }
  const auto header_text = base64url_decode(token.substr(0, first));
  const auto payload_text = base64url_decode(token.substr(first + 1, second - first - 1));
  const auto signature = base64url_decode(token.substr(second + 1));
  if (!header_text || !payload_text || !signature) return fail("a JWT part is not base64url");
  Jwt jwt;
  jwt.header.Parse(header_text->data(), header_text->size());
  if (jwt.header.HasParseError() || !jwt.header.IsObject()) {
    return fail("the JWT header is not a JSON object");
  }
  jwt.payload.Parse(payload_text->data(), payload_text->size());
  if (jwt.payload.HasParseError() || !jwt.payload.IsObject()) {
    return fail("the JWT payload is not a JSON object");
  }
  jwt.signing_input = std::string(token.substr(0, second));
  jwt.signature = *signature;
  return jwt;
}

bool verify_jwt_signature(const Jwt& jwt, EVP_PKEY* key) {
  const auto alg_name = jwt.header_string("alg");
  if (!alg_name) return false;
  const auto alg = parse_signature_alg(*alg_name);
  if (!alg) return false;
  return rsa_verify(key, *alg, jwt.signing_input, jwt.signature);
}

TimeCheck check_jwt_times(const Jwt& jwt, std::int64_t now, std::int64_t leeway_seconds) {
  const auto exp = jwt.claim_int("exp");
  if (!exp) return TimeCheck::MissingExpiry;
  if (now > *exp + leeway_seconds) return TimeCheck::Expired;
  if (const auto nbf = jwt.claim_int("nbf"); nbf && now + leeway_seconds < *nbf) {
    return TimeCheck::NotYetValid;
  }
  return TimeCheck::Valid;
}

std::string sign_jwt(std::string_view header_json, std::string_view payload_json, EVP_PKEY* key,
                     SignatureAlg alg) {
  std::string input = base64url_encode(header_json) + "." + base64url_encode(payload_json);
  const std::string signature = rsa_sign(key, alg, input);
  return input + "." + base64url_encode(signature);
}

}  // namespace wsemu
