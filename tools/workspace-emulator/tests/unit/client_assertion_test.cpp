// Client assertions: certificate credentials (x5t#S256, RS256/PS256, aud,
// iss/sub, exp/nbf, jti) and federated credentials (issuer, subject, audience).
#include <gtest/gtest.h>

#include "base64.h"
#include "client_assertion.h"
#include "jwt.h"
#include "tls_material.h"

namespace wsemu {
namespace {

constexpr const char* kClient = "0e9c4d1a-0000-4000-8000-0000000000c1";
constexpr const char* kEndpoint = "https://127.0.0.1:4443/tenant/oauth2/v2.0/token";
constexpr std::int64_t kNow = 1'800'000'000;

class ClientAssertionTest : public ::testing::Test {
 protected:
  ClientAssertionTest()
      : certificate_(generate_client_certificate("app", 1)),
        stray_(generate_client_certificate("stray", 1)),
        emulator_signer_(generate_rsa_key(2048)) {
    const std::string der = certificate_der(certificate_.cert.get());
    AppCertificate c;
    c.sha256_thumbprint = sha256(der);
    c.sha1_thumbprint = sha1(der);
    c.public_key = SharedKey(certificate_public_key(certificate_.cert.get()).release(), EVP_PKEY_free);
    app_.client_id = kClient;
    app_.certificates.push_back(c);
    FederatedCredential f;
    f.issuer = "https://oidc.example/cluster";
    f.subject = "system:serviceaccount:ns:sa";
    app_.federated_credentials.push_back(f);
    context_.app = &app_;
    context_.token_endpoint_audiences = {kEndpoint};
    context_.emulator_signer = &emulator_signer_;
    context_.now = kNow;
    context_.leeway_seconds = 300;
  }

  std::string assertion(const std::string& header_extra, const std::string& payload, EVP_PKEY* key,
                        SignatureAlg alg = SignatureAlg::PS256, X509* thumbprint_of = nullptr) {
    const std::string der = certificate_der(thumbprint_of != nullptr ? thumbprint_of : certificate_.cert.get());
    std::string header = std::string(R"({"alg":")") + std::string(to_string(alg)) + R"(","typ":"JWT")";
    if (header_extra.empty()) {
      header += R"(,"x5t#S256":")" + base64url_encode(sha256(der)) + "\"";
    } else if (header_extra == "x5t") {
      header += R"(,"x5t":")" + base64url_encode(sha1(der)) + "\"";
    }
    header += "}";
    return sign_jwt(header, payload, key, alg);
  }

  static std::string claims(const std::string& iss, const std::string& sub, const std::string& aud, std::int64_t nbf,
                            std::int64_t exp, bool jti = true) {
    return R"({"iss":")" + iss + R"(","sub":")" + sub + R"(","aud":")" + aud + R"(","nbf":)" + std::to_string(nbf) +
           R"(,"exp":)" + std::to_string(exp) + (jti ? R"(,"jti":"6c8b1a3e-0000-4000-8000-000000000001"})" : "}");
  }

  std::string good_claims() const { return claims(kClient, kClient, kEndpoint, kNow, kNow + 600); }

  int code_of(const std::string& jwt) {
    const auto error = validate_client_assertion(jwt, context_);
    return error ? error->code : 0;
  }

  ClientCertificate certificate_;
  ClientCertificate stray_;
  TokenSigner emulator_signer_;
  Application app_;
  AssertionContext context_;
};

TEST_F(ClientAssertionTest, AcceptsAPs256AssertionWithX5tS256) {
  EXPECT_EQ(code_of(assertion("", good_claims(), certificate_.key.get())), 0);
}

TEST_F(ClientAssertionTest, AcceptsAnRs256AssertionWithTheLegacySha1X5t) {
  EXPECT_EQ(code_of(assertion("x5t", good_claims(), certificate_.key.get(), SignatureAlg::RS256)), 0);
}

TEST_F(ClientAssertionTest, RefusesAnUnregisteredCertificateWith700027) {
  const auto error = validate_client_assertion(
      assertion("", good_claims(), stray_.key.get(), SignatureAlg::PS256, stray_.cert.get()), context_);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 700027);
  EXPECT_EQ(error->http_status, 401);
  EXPECT_EQ(error->error, "invalid_client");
  EXPECT_NE(error->text.find("The key was not found"), std::string::npos);
}

TEST_F(ClientAssertionTest, RefusesASignatureByAnotherKeyWith700027) {
  EXPECT_EQ(code_of(assertion("", good_claims(), stray_.key.get())), 700027);
}

TEST_F(ClientAssertionTest, RefusesAMissingThumbprintWith700027) {
  EXPECT_EQ(code_of(assertion("none", good_claims(), certificate_.key.get())), 700027);
}

TEST_F(ClientAssertionTest, RefusesAnotherAudienceWith700023) {
  const auto jwt = assertion("", claims(kClient, kClient, "https://login.microsoftonline.com/x/oauth2/v2.0/token", kNow, kNow + 600),
                             certificate_.key.get());
  EXPECT_EQ(code_of(jwt), 700023);
}

TEST_F(ClientAssertionTest, RefusesAnExpiredOrFutureAssertionWith700024) {
  EXPECT_EQ(code_of(assertion("", claims(kClient, kClient, kEndpoint, kNow - 3600, kNow - 1200), certificate_.key.get())), 700024);
  EXPECT_EQ(code_of(assertion("", claims(kClient, kClient, kEndpoint, kNow + 1200, kNow + 1800), certificate_.key.get())), 700024);
}

TEST_F(ClientAssertionTest, RefusesASubjectOtherThanTheIssuerWith50048) {
  EXPECT_EQ(code_of(assertion("", claims(kClient, "someone", kEndpoint, kNow, kNow + 600), certificate_.key.get())), 50048);
}

TEST_F(ClientAssertionTest, RefusesAnotherApplicationsIdentifierWith700021) {
  EXPECT_EQ(code_of(assertion("", claims("other", "other", kEndpoint, kNow, kNow + 600), certificate_.key.get())), 700021);
}

TEST_F(ClientAssertionTest, RequiresJti) {
  EXPECT_EQ(code_of(assertion("", claims(kClient, kClient, kEndpoint, kNow, kNow + 600, false), certificate_.key.get())), 50027);
}

TEST_F(ClientAssertionTest, AcceptsTheSameAssertionTwice) {
  // MSAL reuses its assertion for ten minutes; Entra does not refuse a repeated jti.
  const auto jwt = assertion("", good_claims(), certificate_.key.get());
  EXPECT_EQ(code_of(jwt), 0);
  EXPECT_EQ(code_of(jwt), 0);
}

TEST_F(ClientAssertionTest, RefusesGarbageWith50027) {
  EXPECT_EQ(code_of("not.a.jwt"), 50027);
  EXPECT_EQ(code_of(sign_jwt(R"({"alg":"RS512"})", good_claims(), certificate_.key.get(), SignatureAlg::RS256)), 50027);
}

TEST_F(ClientAssertionTest, AcceptsAFederatedAssertionFromItsOwnIssuer) {
  const std::string jwt = emulator_signer_.issue_federated("https://oidc.example/cluster", "system:serviceaccount:ns:sa",
                                                           "api://AzureADTokenExchange", 3600, kNow);
  EXPECT_EQ(code_of(jwt), 0);
}

TEST_F(ClientAssertionTest, RefusesFederatedMismatchesWith70021x) {
  auto federated = [&](const std::string& iss, const std::string& sub, const std::string& aud) {
    return code_of(emulator_signer_.issue_federated(iss, sub, aud, 3600, kNow));
  };
  EXPECT_EQ(federated("https://oidc.example/other", "system:serviceaccount:ns:sa", "api://AzureADTokenExchange"), 700211);
  EXPECT_EQ(federated("https://oidc.example/cluster", "system:serviceaccount:ns:other", "api://AzureADTokenExchange"), 700213);
  EXPECT_EQ(federated("https://oidc.example/cluster", "system:serviceaccount:ns:sa", "api://Other"), 700212);
}

TEST_F(ClientAssertionTest, ChecksFederatedSignaturesAgainstConfiguredKeys) {
  TokenSigner issuer(generate_rsa_key(2048));
  const std::string jwt = issuer.issue_federated("https://oidc.example/cluster", "system:serviceaccount:ns:sa",
                                                 "api://AzureADTokenExchange", 3600, kNow);
  EXPECT_EQ(code_of(jwt), 700027);  // no keys configured: only the emulator's own signature counts
  app_.federated_credentials[0].keys.emplace_back(
      read_public_key_pem(public_key_pem(issuer.key())).release(), EVP_PKEY_free);
  EXPECT_EQ(code_of(jwt), 0);
}

TEST_F(ClientAssertionTest, RefusesAnExpiredFederatedAssertionWith700024) {
  const std::string jwt = emulator_signer_.issue_federated("https://oidc.example/cluster", "system:serviceaccount:ns:sa",
                                                           "api://AzureADTokenExchange", 60, kNow - 3600);
  EXPECT_EQ(code_of(jwt), 700024);
}

}  // namespace
}  // namespace wsemu
