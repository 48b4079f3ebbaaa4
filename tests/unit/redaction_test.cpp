#include "core/redaction.h"

#include <gtest/gtest.h>

#include <string>

#include "core/secret.h"

namespace gd2s {
namespace {

bool hides(const std::string& text, const std::string& needle) {
  std::string out = redact(text);
  return out.find(needle) == std::string::npos && out.find(kRedacted) != std::string::npos;
}

TEST(Redaction, ASecretIsHiddenInEveryFormItIsEchoedIn) {
  Secret secret(std::string("FILESECRET-Zq9!x /\"k"));
  EXPECT_TRUE(hides("raw: FILESECRET-Zq9!x /\"k.", "FILESECRET"));
  EXPECT_TRUE(hides("form: x=FILESECRET-Zq9%21x+%2F%22k&y=1", "FILESECRET"));
  EXPECT_TRUE(hides("url: FILESECRET-Zq9%21x%20%2F%22k", "FILESECRET"));
  EXPECT_TRUE(hides("lower: FILESECRET-Zq9%21x%20%2f%22k", "FILESECRET"));
  EXPECT_TRUE(hides(R"(json: "FILESECRET-Zq9!x /\"k")", "FILESECRET"));
  EXPECT_TRUE(hides(R"(json: "FILESECRET-Zq9!x \/\"k")", "FILESECRET"));
}

TEST(Redaction, KeepsTheTextAroundTheSecret) {
  Secret secret(std::string("kept-out-of-logs-123"));
  EXPECT_EQ(redact("before kept-out-of-logs-123 after"), "before (redacted) after");
  EXPECT_EQ(redact("no secret here"), "no secret here");
}

TEST(Redaction, CredentialShapesAreHiddenWhateverTheirValue) {
  EXPECT_TRUE(hides("Authorization: Bearer abcdefghijklmnop.qrs", "abcdefghijklmnop"));
  EXPECT_TRUE(hides("authorization=bearer%20abcdefghijklmnop", "abcdefghijklmnop"));
  EXPECT_TRUE(hides("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl end", "eyJzdWIi"));
  EXPECT_TRUE(
      hides("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6",
            "5d672d79"));
  EXPECT_TRUE(hides("GET /?X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6&x=1", "5d672d79"));
  EXPECT_TRUE(hides("x-amz-security-token:IQoJb3JpZ2luX2VjEJr//////////wEa\n", "IQoJb3Jp"));
  EXPECT_TRUE(hides("<SessionToken>IQoJb3JpZ2luX2VjEJr</SessionToken>", "IQoJb3Jp"));
  EXPECT_TRUE(hides(R"({"SecretAccessKey" : "wJalrXUtnFEMI/K7MDENG"})", "wJalrXUtn"));
  EXPECT_TRUE(hides(R"({"access_token":"opaque-token-value"})", "opaque-token"));
  EXPECT_TRUE(hides("grant_type=client_credentials&client_secret=abc%21def&scope=x", "abc%21def"));
  EXPECT_TRUE(hides("client_assertion=header.payload.signature&x=1", "payload"));
  EXPECT_TRUE(hides("Authorization: SharedKey 0e9c4d1a:ZmFrZS1zaWduYXR1cmU=", "ZmFrZS1z"));
  EXPECT_NE(redact("SharedKey 0e9c4d1a:ZmFrZS1zaWduYXR1cmU=").find("0e9c4d1a"), std::string::npos)
      << "the workspace id is no secret";
}

TEST(Redaction, OrdinaryWordsAboutCredentialsStay) {
  for (std::string text : {"SignatureDoesNotMatch: the request signature we calculated does not "
                           "match the signature you provided",
                           "the session token expired", "access_token is missing"})
    EXPECT_EQ(redact(text), text);
}

TEST(Redaction, ShortValuesAreNotRememberedAndTheRegistryIsBounded) {
  Secret tiny(std::string("ab1"));
  EXPECT_EQ(redact("ab1 stays"), "ab1 stays") << "a 3-byte value would blank out ordinary text";

  Secret first(std::string("the-first-of-many-secrets"));
  EXPECT_EQ(redact("the-first-of-many-secrets"), "(redacted)");
  for (int i = 0; i < 200; ++i) Secret later("later-secret-number-" + std::to_string(i));
  EXPECT_EQ(redact("the-first-of-many-secrets"), "the-first-of-many-secrets")
      << "only the most recent 128 values are kept";
  EXPECT_EQ(redact("later-secret-number-199"), "(redacted)");
}

}  // namespace
}  // namespace gd2s
