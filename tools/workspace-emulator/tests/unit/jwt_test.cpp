// JWT parsing, RS256/PS256 signatures, time checks, and the bearer-token
// check of the Logs Ingestion endpoint.
#include <gtest/gtest.h>

#include "base64.h"
#include "crypto.h"
#include "jwt.h"
#include "tokens.h"

namespace wsemu {
namespace {

class JwtTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = generate_rsa_key(2048).release();
    other_ = generate_rsa_key(2048).release();
  }
  static void TearDownTestSuite() {
    EVP_PKEY_free(key_);
    EVP_PKEY_free(other_);
  }
  static EVP_PKEY* key_;
  static EVP_PKEY* other_;
};
EVP_PKEY* JwtTest::key_ = nullptr;
EVP_PKEY* JwtTest::other_ = nullptr;

TEST_F(JwtTest, SignsAndVerifiesRs256AndPs256) {
  for (const auto alg : {SignatureAlg::RS256, SignatureAlg::PS256}) {
    const std::string header = std::string(R"({"alg":")") + std::string(to_string(alg)) + R"("})";
    const std::string token = sign_jwt(header, R"({"sub":"x","exp":2000000000})", key_, alg);
    std::string error;
    const auto jwt = parse_jwt(token, &error);
    ASSERT_TRUE(jwt.has_value()) << error;
    EXPECT_TRUE(verify_jwt_signature(*jwt, key_));
    EXPECT_FALSE(verify_jwt_signature(*jwt, other_));
    EXPECT_EQ(jwt->claim_string("sub"), "x");
  }
}

TEST_F(JwtTest, RefusesATamperedPayload) {
  const std::string token = sign_jwt(R"({"alg":"RS256"})", R"({"aud":"a"})", key_, SignatureAlg::RS256);
  const auto dot1 = token.find('.');
  const auto dot2 = token.find('.', dot1 + 1);
  const std::string forged = token.substr(0, dot1 + 1) + base64url_encode(R"({"aud":"b"})") + token.substr(dot2);
  const auto jwt = parse_jwt(forged, nullptr);
  ASSERT_TRUE(jwt.has_value());
  EXPECT_FALSE(verify_jwt_signature(*jwt, key_));
}

TEST_F(JwtTest, RefusesAlgNoneAndHmac) {
  for (const char* alg : {"none", "HS256"}) {
    const std::string token = base64url_encode(std::string(R"({"alg":")") + alg + R"("})") + "." +
                              base64url_encode(R"({"sub":"x"})") + "." + base64url_encode("sig");
    const auto jwt = parse_jwt(token, nullptr);
    ASSERT_TRUE(jwt.has_value());
    EXPECT_FALSE(verify_jwt_signature(*jwt, key_)) << alg;
  }
}

TEST_F(JwtTest, SaysWhyATokenIsMalformed) {
  std::string error;
  EXPECT_FALSE(parse_jwt("abc", &error));
  EXPECT_NE(error.find("no '.'"), std::string::npos);
  EXPECT_FALSE(parse_jwt("a.b", &error));
  EXPECT_FALSE(parse_jwt("a.b.c.d", &error));
  EXPECT_FALSE(parse_jwt("!!.e30.", &error));
  EXPECT_FALSE(parse_jwt(base64url_encode("[]") + ".e30.", &error));
  EXPECT_NE(error.find("header"), std::string::npos);
}

TEST_F(JwtTest, ChecksExpiryAndNotBefore) {
  auto make = [&](const std::string& payload) { return *parse_jwt(sign_jwt(R"({"alg":"RS256"})", payload, key_, SignatureAlg::RS256), nullptr); };
  EXPECT_EQ(check_jwt_times(make(R"({"exp":1000})"), 999, 0), TimeCheck::Valid);
  EXPECT_EQ(check_jwt_times(make(R"({"exp":1000})"), 1001, 0), TimeCheck::Expired);
  EXPECT_EQ(check_jwt_times(make(R"({"exp":1000})"), 1001, 300), TimeCheck::Valid);
  EXPECT_EQ(check_jwt_times(make(R"({"exp":5000,"nbf":2000})"), 1000, 0), TimeCheck::NotYetValid);
  EXPECT_EQ(check_jwt_times(make(R"({"sub":"x"})"), 1000, 0), TimeCheck::MissingExpiry);
}

class BearerTest : public ::testing::Test {
 protected:
  BearerTest() : signer_(generate_rsa_key(2048)) {}
  std::string token(const std::string& audience, std::int64_t now, std::int64_t lifetime = 3599) {
    AccessTokenClaims claims;
    claims.tenant_id = "t";
    claims.audience = audience;
    claims.app_id = "app";
    claims.object_id = "oid";
    claims.app_id_acr = "1";
    claims.lifetime_seconds = lifetime;
    return "Bearer " + signer_.issue(claims, now);
  }
  TokenSigner signer_;
  const std::vector<std::string> monitor_ = {"https://monitor.azure.com"};
};

TEST_F(BearerTest, AcceptsItsOwnTokenForTheMonitorAudience) {
  const auto check = signer_.verify_bearer(token("https://monitor.azure.com", 1000), monitor_, 1100);
  EXPECT_TRUE(check.ok) << check.message;
  EXPECT_EQ(check.tenant_id, "t");
  EXPECT_EQ(check.app_id, "app");
  EXPECT_EQ(check.object_id, "oid");
}

TEST_F(BearerTest, IgnoresATrailingSlashInTheAudience) {
  EXPECT_TRUE(signer_.verify_bearer(token("https://monitor.azure.com/", 1000), monitor_, 1100).ok);
}

TEST_F(BearerTest, RefusesAnotherAudienceWithInvalidAudience) {
  const auto check = signer_.verify_bearer(token("https://management.azure.com", 1000), monitor_, 1100);
  EXPECT_FALSE(check.ok);
  EXPECT_EQ(check.code, "InvalidAudience");
  EXPECT_EQ(check.failure, TokenFailure::WrongAudience);
  EXPECT_EQ(check.audience, "https://management.azure.com");  // claims are read even when refused
  EXPECT_EQ(check.tenant_id, "t");
}

TEST_F(BearerTest, RefusesAnExpiredToken) {
  const auto check = signer_.verify_bearer(token("https://monitor.azure.com", 1000, 60), monitor_, 2000);
  EXPECT_EQ(check.code, "ExpiredAuthenticationToken");
  EXPECT_EQ(check.failure, TokenFailure::Expired);
  EXPECT_EQ(check.expires_at, 1060);
}

TEST_F(BearerTest, RefusesATokenSignedByAnotherKey) {
  TokenSigner other(generate_rsa_key(2048));
  AccessTokenClaims claims;
  claims.audience = "https://monitor.azure.com";
  const auto check = signer_.verify_bearer("Bearer " + other.issue(claims, 1000), monitor_, 1100);
  EXPECT_EQ(check.code, "InvalidAuthenticationToken");
  EXPECT_EQ(check.failure, TokenFailure::BadSignature);
}

TEST_F(BearerTest, RefusesMissingOrNonBearerAuthorization) {
  EXPECT_EQ(signer_.verify_bearer("", monitor_, 1).code, "InvalidAuthenticationToken");
  EXPECT_EQ(signer_.verify_bearer("Basic abc", monitor_, 1).code, "InvalidAuthenticationToken");
  EXPECT_EQ(signer_.verify_bearer("Bearer not-a-jwt", monitor_, 1).code, "InvalidAuthenticationToken");
  EXPECT_EQ(signer_.verify_bearer("", monitor_, 1).failure, TokenFailure::MissingHeader);
  EXPECT_EQ(signer_.verify_bearer("Basic abc", monitor_, 1).failure, TokenFailure::NotBearer);
  EXPECT_EQ(signer_.verify_bearer("Bearer not-a-jwt", monitor_, 1).failure,
            TokenFailure::Malformed);
}

TEST_F(BearerTest, PublishesItsKeyAsJwks) {
  const std::string jwks = signer_.jwks_json();
  EXPECT_NE(jwks.find("\"kid\":\"" + signer_.key_id() + "\""), std::string::npos);
  EXPECT_NE(jwks.find("\"kty\":\"RSA\""), std::string::npos);
}

}  // namespace
}  // namespace wsemu
