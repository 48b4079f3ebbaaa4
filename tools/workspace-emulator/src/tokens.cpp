#include "tokens.h"

#include "base64.h"
#include "json_util.h"
#include "jwt.h"

namespace wsemu {

std::string normalize_resource(std::string_view resource) {
  while (!resource.empty() && resource.back() == '/') resource.remove_suffix(1);
  return std::string(resource);
}

TokenSigner::TokenSigner(PKey key) : key_(std::move(key)) {
  const auto numbers = rsa_public_numbers(key_.get());
  key_id_ = base64url_encode(sha256(numbers.n + "." + numbers.e)).substr(0, 27);
}

void TokenSigner::write_header(rapidjson::StringBuffer& header) const {
  JsonWriter w(header);
  w.StartObject();
  write_member(w, "typ", "JWT");
  write_member(w, "alg", "RS256");
  write_member(w, "kid", key_id_);
  w.EndObject();
}

std::string TokenSigner::issue(const AccessTokenClaims& claims, std::int64_t now) const {
  rapidjson::StringBuffer header;
  write_header(header);
  rapidjson::StringBuffer payload;
  JsonWriter w(payload);
  w.StartObject();
  write_member(w, "aud", claims.audience);
  write_member(w, "iss", "https://sts.windows.net/" + claims.tenant_id + "/");
  write_string(w, "iat");
  w.Int64(now);
  write_string(w, "nbf");
  w.Int64(now);
  write_string(w, "exp");
  w.Int64(now + claims.lifetime_seconds);
  write_member(w, "appid", claims.app_id);
  write_member(w, "appidacr", claims.app_id_acr);
  write_member(w, "idp", "https://sts.windows.net/" + claims.tenant_id + "/");
  write_member(w, "idtyp", "app");
  write_member(w, "oid", claims.object_id);
  write_member(w, "sub", claims.object_id);
  write_member(w, "tid", claims.tenant_id);
  write_member(w, "uti", base64url_encode(random_bytes(16)));
  write_member(w, "ver", "1.0");
  if (!claims.mi_resource_id.empty()) write_member(w, "xms_mirid", claims.mi_resource_id);
  w.EndObject();
  return sign_jwt(std::string_view(header.GetString(), header.GetSize()),
                  std::string_view(payload.GetString(), payload.GetSize()), key_.get(),
                  SignatureAlg::RS256);
}

std::string TokenSigner::issue_federated(const std::string& issuer, const std::string& subject,
                                         const std::string& audience, std::int64_t lifetime_seconds,
                                         std::int64_t now) const {
  rapidjson::StringBuffer header;
  write_header(header);
  rapidjson::StringBuffer payload;
  JsonWriter w(payload);
  w.StartObject();
  write_member(w, "iss", issuer);
  write_member(w, "sub", subject);
  write_member(w, "aud", audience);
  write_string(w, "iat");
  w.Int64(now);
  write_string(w, "nbf");
  w.Int64(now);
  write_string(w, "exp");
  w.Int64(now + lifetime_seconds);
  write_member(w, "jti", new_guid());
  w.EndObject();
  return sign_jwt(std::string_view(header.GetString(), header.GetSize()),
                  std::string_view(payload.GetString(), payload.GetSize()), key_.get(),
                  SignatureAlg::RS256);
}

std::string TokenSigner::jwks_json() const {
  const auto numbers = rsa_public_numbers(key_.get());
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_string(w, "keys");
  w.StartArray();
  w.StartObject();
  write_member(w, "kty", "RSA");
  write_member(w, "use", "sig");
  write_member(w, "alg", "RS256");
  write_member(w, "kid", key_id_);
  write_member(w, "n", numbers.n);
  write_member(w, "e", numbers.e);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

TokenCheck TokenSigner::verify_bearer(std::string_view authorization_header,
                                      const std::vector<std::string>& accepted_audiences,
                                      std::int64_t now) const {
  TokenCheck check;
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization_header.size() <= kScheme.size() ||
      authorization_header.substr(0, kScheme.size()) != kScheme) {
    check.failure =
        authorization_header.empty() ? TokenFailure::MissingHeader : TokenFailure::NotBearer;
    check.code = "InvalidAuthenticationToken";
    check.message = authorization_header.empty()
                        ? "The request has no Authorization header with a bearer token."
                        : "The Authorization header does not hold a bearer token.";
    return check;
  }
  std::string why;
  const auto jwt = parse_jwt(authorization_header.substr(kScheme.size()), &why);
  if (!jwt) {
    check.failure = TokenFailure::Malformed;
    check.code = "InvalidAuthenticationToken";
    check.message = "The authentication token is malformed: " + why + ".";
    return check;
  }
  check.tenant_id = jwt->claim_string("tid").value_or("");
  check.app_id = jwt->claim_string("appid").value_or("");
  check.object_id = jwt->claim_string("oid").value_or("");
  check.issuer = jwt->claim_string("iss").value_or("");
  check.audience = jwt->audience().value_or("");
  check.expires_at = jwt->claim_int("exp").value_or(0);
  if (jwt->header_string("alg") != "RS256" || !verify_jwt_signature(*jwt, key_.get())) {
    check.failure = TokenFailure::BadSignature;
    check.code = "InvalidAuthenticationToken";
    check.message = "The authentication token's signature is not valid.";
    return check;
  }
  switch (check_jwt_times(*jwt, now, 300)) {
    case TimeCheck::Valid:
      break;
    case TimeCheck::Expired:
      check.failure = TokenFailure::Expired;
      check.code = "ExpiredAuthenticationToken";
      check.message = "The authentication token has expired.";
      return check;
    case TimeCheck::NotYetValid:
    case TimeCheck::MissingExpiry:
      check.failure = TokenFailure::NotYetValid;
      check.code = "InvalidAuthenticationToken";
      check.message = "The authentication token is not within its valid time range.";
      return check;
  }
  bool audience_ok = false;
  for (const auto& accepted : accepted_audiences) {
    audience_ok = audience_ok || normalize_resource(accepted) == normalize_resource(check.audience);
  }
  if (!audience_ok) {
    check.failure = TokenFailure::WrongAudience;
    check.code = "InvalidAudience";
    check.message = "Invalid authorization token audience.";
    return check;
  }
  check.ok = true;
  return check;
}

}  // namespace wsemu
