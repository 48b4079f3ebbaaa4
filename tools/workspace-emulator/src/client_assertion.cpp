#include "client_assertion.h"

#include <algorithm>
#include <cctype>

#include "base64.h"
#include "jwt.h"
#include "time_util.h"

namespace wsemu {
namespace {

constexpr const char* kCertificateDocs =
    "Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.";

EntraError invalid_client(int code, std::string text) { return {401, "invalid_client", code, std::move(text)}; }

std::string upper_hex(std::string_view bytes) {
  std::string hex = hex_encode(bytes);
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

bool audience_matches(const Jwt& jwt, const std::string& expected) {
  auto it = jwt.payload.FindMember("aud");
  if (it == jwt.payload.MemberEnd()) return false;
  if (it->value.IsString()) return expected == it->value.GetString();
  if (it->value.IsArray()) {
    for (const auto& a : it->value.GetArray()) {
      if (a.IsString() && expected == a.GetString()) return true;
    }
  }
  return false;
}

std::optional<EntraError> check_times(const Jwt& jwt, const AssertionContext& context) {
  const TimeCheck times = check_jwt_times(jwt, context.now, context.leeway_seconds);
  if (times == TimeCheck::Valid) return std::nullopt;
  if (times == TimeCheck::MissingExpiry) {
    return invalid_client(50027, "JWT token is invalid or malformed: the 'exp' claim is missing.");
  }
  const auto nbf = jwt.claim_int("nbf").value_or(jwt.claim_int("iat").value_or(0));
  const auto exp = jwt.claim_int("exp").value_or(0);
  return invalid_client(700024, "Client assertion is not within its valid time range. Current time: " +
                                    format_iso8601(context.now) + ", assertion valid from " +
                                    format_iso8601(nbf) + ", expiry time of assertion " +
                                    format_iso8601(exp) + ". " + kCertificateDocs);
}

std::optional<EntraError> validate_certificate_assertion(const Jwt& jwt, const AssertionContext& context) {
  const Application& app = *context.app;
  const auto sub = jwt.claim_string("sub").value_or("");
  if (sub != app.client_id) {
    return invalid_client(50048, "Subject mismatches Issuer claim in the client assertion.");
  }
  const AppCertificate* certificate = nullptr;
  std::string presented;
  if (auto x5t256 = jwt.header_string("x5t#S256")) {
    const auto thumbprint = base64url_decode(*x5t256).value_or("");
    presented = upper_hex(thumbprint);
    for (const auto& c : app.certificates) {
      if (c.sha256_thumbprint == thumbprint) certificate = &c;
    }
  } else if (auto x5t = jwt.header_string("x5t")) {
    const auto thumbprint = base64url_decode(*x5t).value_or("");
    presented = upper_hex(thumbprint);
    for (const auto& c : app.certificates) {
      if (c.sha1_thumbprint == thumbprint) certificate = &c;
    }
  }
  if (certificate == nullptr) {
    return invalid_client(700027, "Client assertion contains an invalid signature. [Reason - The key was not found., "
                                  "Thumbprint of key used by client: '" + presented +
                                  "', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see "
                                  "configured keys for app Id '" + app.client_id + "'.]");
  }
  if (!verify_jwt_signature(jwt, certificate->public_key.get())) {
    return invalid_client(700027, "Client assertion contains an invalid signature. [Reason - The provided signature "
                                  "value did not match the expected signature value., Thumbprint of key used by "
                                  "client: '" + presented + "']");
  }
  const bool audience_ok =
      std::any_of(context.token_endpoint_audiences.begin(), context.token_endpoint_audiences.end(),
                  [&](const std::string& expected) { return audience_matches(jwt, expected); });
  if (!audience_ok) {
    return invalid_client(700023, std::string("Client assertion audience claim does not match Realm issuer. ") +
                                      kCertificateDocs);
  }
  if (auto error = check_times(jwt, context)) return error;
  if (!jwt.claim_string("jti")) {
    return invalid_client(50027, "JWT token is invalid or malformed: the 'jti' claim is missing.");
  }
  return std::nullopt;
}

std::optional<EntraError> validate_federated_assertion(const Jwt& jwt, const std::string& issuer,
                                                       const AssertionContext& context) {
  const Application& app = *context.app;
  const auto sub = jwt.claim_string("sub").value_or("");
  std::vector<const FederatedCredential*> by_issuer;
  for (const auto& f : app.federated_credentials) {
    if (f.issuer == issuer) by_issuer.push_back(&f);
  }
  if (by_issuer.empty()) {
    if (issuer == sub) {
      return invalid_client(700021, "Client assertion application identifier doesn't match 'client_id' parameter. " +
                                        std::string(kCertificateDocs));
    }
    return EntraError{400, "invalid_request", 700211,
                      "No matching federated identity record found for presented assertion issuer '" + issuer +
                          "'. Please check your federated identity credential Subject, Audience and Issuer "
                          "against the presented assertion."};
  }
  const FederatedCredential* credential = nullptr;
  for (const auto* f : by_issuer) {
    if (f->subject == sub) credential = f;
  }
  if (credential == nullptr) {
    return EntraError{400, "invalid_request", 700213,
                      "No matching federated identity record found for presented assertion subject '" + sub +
                          "'. Please check your federated identity credential Subject, Audience and Issuer "
                          "against the presented assertion."};
  }
  if (!audience_matches(jwt, credential->audience)) {
    return EntraError{400, "invalid_request", 700212,
                      "No matching federated identity record found for presented assertion audience '" +
                          jwt.audience().value_or("") +
                          "'. Please check your federated identity credential Subject, Audience and Issuer "
                          "against the presented assertion."};
  }
  bool signature_ok = false;
  if (credential->keys.empty()) {
    signature_ok = context.emulator_signer != nullptr &&
                   verify_jwt_signature(jwt, context.emulator_signer->key());
  } else {
    for (const auto& key : credential->keys) signature_ok = signature_ok || verify_jwt_signature(jwt, key.get());
  }
  if (!signature_ok) {
    return invalid_client(700027, "Client assertion failed signature validation. [Reason - The key used to sign the "
                                  "assertion was not found among the issuer's keys.]");
  }
  return check_times(jwt, context);
}

}  // namespace

std::optional<EntraError> validate_client_assertion(std::string_view assertion, const AssertionContext& context) {
  std::string why;
  const auto jwt = parse_jwt(assertion, &why);
  if (!jwt) return invalid_client(50027, "JWT token is invalid or malformed: " + why + ".");
  const auto alg = jwt->header_string("alg").value_or("");
  if (!parse_signature_alg(alg)) {
    return invalid_client(50027, "JWT token is invalid or malformed: '" + alg +
                                     "' is not a supported signature algorithm (RS256, PS256).");
  }
  const auto issuer = jwt->claim_string("iss").value_or("");
  if (issuer == context.app->client_id) return validate_certificate_assertion(*jwt, context);
  return validate_federated_assertion(*jwt, issuer, context);
}

}  // namespace wsemu
