// Entra ID token providers without a network: the cloud table, the client assertion (built, then
// taken apart and its PS256 signature checked with OpenSSL), the token endpoint
// and IMDS against a scripted HttpClient, and the factory's option checks.

#include "azure/azure_auth.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <simdjson.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <latch>
#include <map>
#include <mutex>
#include <regex>
#include <thread>

#include "azure/client_assertion.h"
#include "azure/token_providers.h"
#include "core/base64.h"
#include "support/scripted_http.h"
#include "support/test_support.h"

namespace gd2s::azure {
namespace {

using namespace std::chrono_literals;
using test::TempDir;
using test::write_file;

constexpr const char* kTenant = "3d6f7a21-0000-4000-8000-000000000001";
constexpr const char* kClient = "0e9c4d1a-0000-4000-8000-000000000002";

// ---- OpenSSL helpers: test keys and certificates, made here rather than by the code under test.

using Key = std::shared_ptr<EVP_PKEY>;
using Cert = std::shared_ptr<X509>;

Key rsa_key() {
  return Key(EVP_RSA_gen(2048), &EVP_PKEY_free);
}
Key ec_key() {
  return Key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
}

Cert self_signed(EVP_PKEY* key) {
  Cert cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 42);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("gd2sentinel test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key);
  X509_sign(cert.get(), key, EVP_sha256());
  return cert;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(length));
  BIO_free(bio);
  return out;
}

std::string pem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  return bio_text(bio);
}

std::string pem(EVP_PKEY* key, const char* passphrase = nullptr) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (passphrase == nullptr)
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  else
    PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), passphrase,
                                  static_cast<int>(std::strlen(passphrase)), nullptr, nullptr);
  return bio_text(bio);
}

// One RSA key pair for the whole file: generating them is slow under the sanitizers.
struct TestIdentity {
  Key key = rsa_key();
  Cert cert = self_signed(key.get());
};
const TestIdentity& identity() {
  static const TestIdentity instance;
  return instance;
}

std::optional<std::string> base64url_decode(std::string text) {
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (text.size() % 4 != 0) text += '=';
  return base64_decode(text);
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t at = text.find(separator); at != std::string::npos;
       at = text.find(separator, start)) {
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

bool verify_ps256(EVP_PKEY* public_key, const std::string& input, const std::string& signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  return EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, public_key) == 1 &&
         EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                          input.size()) == 1;
}

using test::error_of;

// ---- Cloud table

TEST(AzureCloud, EndpointsPerCloud) {
  CloudEndpoints pub = cloud_endpoints("public");
  EXPECT_EQ(pub.authority_host, "https://login.microsoftonline.com");
  EXPECT_EQ(pub.scope, "https://monitor.azure.com/.default");
  EXPECT_EQ(pub.resource, "https://monitor.azure.com");
  CloudEndpoints gov = cloud_endpoints("usgovernment");
  EXPECT_EQ(gov.authority_host, "https://login.microsoftonline.us");
  EXPECT_EQ(gov.scope, "https://monitor.azure.us/.default");
  EXPECT_EQ(gov.resource, "https://monitor.azure.us");
  CloudEndpoints china = cloud_endpoints("china");
  EXPECT_EQ(china.authority_host, "https://login.partner.microsoftonline.cn");
  EXPECT_EQ(china.scope, "https://monitor.azure.cn/.default");
  EXPECT_EQ(china.resource, "https://monitor.azure.cn");
  EXPECT_THROW(cloud_endpoints("germany"), std::invalid_argument);
  EXPECT_THROW(cloud_endpoints("Public"), std::invalid_argument);
}

// ---- Client assertion

TEST(AzureClientAssertion, IsAPs256JwtEntraAccepts) {
  TempDir dir;
  std::string path = dir.file("app.pem");
  write_file(path, pem(identity().cert.get()) + pem(identity().key.get()));
  AppCertificate certificate = AppCertificate::load(path);

  const std::string audience =
      "https://login.microsoftonline.com/" + std::string(kTenant) + "/oauth2/v2.0/token";
  Timestamp now = Timestamp(std::chrono::seconds(1767225600));  // 2026-01-01T00:00:00Z
  std::string jwt = certificate.client_assertion(audience, kClient, now).reveal();
  std::vector<std::string> parts = split(jwt, '.');
  ASSERT_EQ(parts.size(), 3u);

  // Header: alg, typ, and the certificate's SHA-256 thumbprint computed here from its DER.
  simdjson::dom::parser parser;
  std::optional<std::string> header_json = base64url_decode(parts[0]);
  ASSERT_TRUE(header_json);
  simdjson::dom::element header = parser.parse(*header_json).value();
  EXPECT_EQ(std::string_view(header["alg"]), "PS256");
  EXPECT_EQ(std::string_view(header["typ"]), "JWT");
  unsigned char* der = nullptr;
  int der_length = i2d_X509(identity().cert.get(), &der);
  ASSERT_GT(der_length, 0);
  unsigned char digest[32];
  unsigned int digest_length = 0;
  EVP_Digest(der, static_cast<size_t>(der_length), digest, &digest_length, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  std::optional<std::string> thumbprint =
      base64url_decode(std::string(std::string_view(header["x5t#S256"])));
  ASSERT_TRUE(thumbprint);
  EXPECT_EQ(*thumbprint, std::string(reinterpret_cast<char*>(digest), digest_length));
  EXPECT_EQ(certificate.thumbprint_sha256(), std::string_view(header["x5t#S256"]));
  EXPECT_EQ(parts[0].find('='), std::string::npos);

  // Claims.
  std::optional<std::string> claims_json = base64url_decode(parts[1]);
  ASSERT_TRUE(claims_json);
  simdjson::dom::parser claims_parser;
  simdjson::dom::element claims = claims_parser.parse(*claims_json).value();
  EXPECT_EQ(std::string_view(claims["aud"]), audience);
  EXPECT_EQ(std::string_view(claims["iss"]), kClient);
  EXPECT_EQ(std::string_view(claims["sub"]), kClient);
  EXPECT_EQ(int64_t(claims["nbf"]), 1767225600);
  EXPECT_EQ(int64_t(claims["iat"]), 1767225600);
  EXPECT_EQ(int64_t(claims["exp"]), 1767225600 + 600);
  std::string jti{std::string_view(claims["jti"])};
  EXPECT_TRUE(std::regex_match(
      jti, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << jti;

  // Signature: RSASSA-PSS SHA-256, salt 32, by the certificate's key.
  std::optional<std::string> signature = base64url_decode(parts[2]);
  ASSERT_TRUE(signature);
  EVP_PKEY* public_key = X509_get0_pubkey(identity().cert.get());
  EXPECT_TRUE(verify_ps256(public_key, parts[0] + "." + parts[1], *signature));
  EXPECT_FALSE(verify_ps256(public_key, parts[0] + "." + parts[1] + "x", *signature));

  // Every assertion has its own jti.
  std::string other = certificate.client_assertion(audience, kClient, now).reveal();
  std::optional<std::string> other_claims = base64url_decode(split(other, '.')[1]);
  ASSERT_TRUE(other_claims);
  EXPECT_EQ(other_claims->find(jti), std::string::npos);
}

TEST(AzureClientAssertion, FindsTheCertificateOfTheKeyInAnyOrder) {
  TempDir dir;
  Key other = rsa_key();
  std::string path = dir.file("chain.pem");
  // Key first, then an unrelated certificate, then the key's own.
  write_file(path, pem(identity().key.get()) + pem(self_signed(other.get()).get()) +
                       pem(identity().cert.get()));
  AppCertificate certificate = AppCertificate::load(path);
  std::string jwt = certificate.client_assertion("aud", kClient, now_utc()).reveal();
  std::vector<std::string> parts = split(jwt, '.');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_TRUE(verify_ps256(X509_get0_pubkey(identity().cert.get()), parts[0] + "." + parts[1],
                           base64url_decode(parts[2]).value()));
}

TEST(AzureClientAssertion, ExplainsAnUnusableFile) {
  TempDir dir;
  auto load_error = [&](const std::string& name, const std::string& content) {
    std::string path = dir.file(name);
    write_file(path, content);
    return error_of([&] { AppCertificate::load(path); });
  };
  std::string missing = error_of([&] { AppCertificate::load(dir.file("absent.pem")); });
  EXPECT_NE(missing.find("cannot read the certificate file"), std::string::npos) << missing;
  EXPECT_NE(missing.find("absent.pem"), std::string::npos) << missing;

  std::string no_key = load_error("cert-only.pem", pem(identity().cert.get()));
  EXPECT_NE(no_key.find("no private key"), std::string::npos) << no_key;
  std::string no_cert = load_error("key-only.pem", pem(identity().key.get()));
  EXPECT_NE(no_cert.find("no PEM certificate"), std::string::npos) << no_cert;
  Key ec = ec_key();
  std::string not_rsa = load_error("ec.pem", pem(self_signed(ec.get()).get()) + pem(ec.get()));
  EXPECT_NE(not_rsa.find("not RSA"), std::string::npos) << not_rsa;
  Key stranger = rsa_key();
  std::string mismatch =
      load_error("mismatch.pem", pem(identity().cert.get()) + pem(stranger.get()));
  EXPECT_NE(mismatch.find("does not belong"), std::string::npos) << mismatch;
  std::string encrypted = load_error(
      "encrypted.pem", pem(identity().cert.get()) + pem(identity().key.get(), "passphrase"));
  EXPECT_NE(encrypted.find("passphrase"), std::string::npos) << encrypted;
  std::string garbage = load_error("garbage.pem", "not a pem file\n");
  EXPECT_NE(garbage.find("no PEM certificate"), std::string::npos) << garbage;
}

// ---- Token endpoint and IMDS against a scripted HttpClient

using test::ScriptedHttp;

ScriptedHttp::Answer reply(long status, std::string body) {
  return [status, body = std::move(body)](const http::Request&) {
    return http::Response{status, {{"Content-Type", "application/json"}}, body};
  };
}

ScriptedHttp::Answer refuse_connection() {
  return [](const http::Request&) -> http::Response {
    throw http::HttpError(http::HttpError::Kind::kConnect,
                          "HTTP request to 169.254.169.254 failed: Couldn't connect to server");
  };
}

AzureAuthOptions secret_options(const std::string& secret) {
  AzureAuthOptions options;
  options.auth = azure::AzureAuth::kClientSecret;
  options.tenant_id = kTenant;
  options.client_id = kClient;
  options.client_secret = Secret(secret);
  options.authority_host = "https://login.example.test/";
  options.getenv = [](const char*) { return std::nullopt; };
  return options;
}

TEST(AzureEntraTokenEndpoint, PostsTheClientCredentialsForm) {
  auto http = std::make_shared<ScriptedHttp>();
  http->script.push_back(reply(200,
                               R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,)"
                               R"("access_token":"eyJ.entra.token"})"));
  TokenProviderPtr provider = make_token_provider(secret_options("p+ss&w=rd/é"), http);
  Timestamp before = now_utc();
  AccessToken token = provider->token();
  EXPECT_EQ(token.value.reveal(), "eyJ.entra.token");
  EXPECT_GE(token.expires_at, before + 3599s);
  EXPECT_LE(token.expires_at, now_utc() + 3599s);
  EXPECT_EQ(provider->renewals(), 1u);

  ASSERT_EQ(http->requests.size(), 1u);
  const http::Request& request = http->requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://login.example.test/" + std::string(kTenant) +
                             "/oauth2/v2.0/token");  // trailing '/' of the override trimmed
  EXPECT_EQ(http::find_header(request.headers, "Content-Type"),
            "application/x-www-form-urlencoded");
  EXPECT_EQ(request.body, "grant_type=client_credentials&client_id=" + std::string(kClient) +
                              "&scope=https%3A%2F%2Fmonitor.azure.com%2F.default"
                              "&client_secret=p%2Bss%26w%3Drd%2F%C3%A9");
  EXPECT_NE(provider->describe().find("client secret for app " + std::string(kClient) +
                                      " in tenant " + kTenant),
            std::string::npos)
      << provider->describe();
}

TEST(AzureEntraTokenEndpoint, ErrorNamesIdentityEndpointAndAadstsButNotTheSecret) {
  auto http = std::make_shared<ScriptedHttp>();
  http->script.push_back(reply(
      401,
      R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret )"
      R"(provided. Ensure the secret being sent in the request is the client secret value, not )"
      R"(the client secret ID.\r\nTrace ID: 0f1e Correlation ID: 2d3c Timestamp: 2026-01-01 )"
      R"(00:00:00Z","error_codes":[7000215],"trace_id":"0f1e","correlation_id":"2d3c"})"));
  TokenProviderPtr provider = make_token_provider(secret_options("wrong-secret-value"), http);
  std::string message = error_of([&] { provider->token(); });
  EXPECT_NE(message.find("AADSTS7000215"), std::string::npos) << message;
  EXPECT_NE(message.find(kTenant), std::string::npos) << message;
  EXPECT_NE(message.find(kClient), std::string::npos) << message;
  EXPECT_NE(
      message.find("https://login.example.test/" + std::string(kTenant) + "/oauth2/v2.0/token"),
      std::string::npos)
      << message;
  EXPECT_NE(message.find("Secret ID"), std::string::npos) << message;  // the hint
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find("wrong-secret-value"), std::string::npos) << message;
  EXPECT_EQ(http->requests.size(), 1u);  // a 401 is not retried
}

TEST(AzureEntraTokenEndpoint, NeverRepeatsTheCredentialEvenIfTheServerDoes) {
  auto http = std::make_shared<ScriptedHttp>();
  http->script.push_back(reply(
      400, R"({"error":"invalid_request","error_description":"bad client_secret=leaky-secret"})"));
  std::string message =
      error_of([&] { make_token_provider(secret_options("leaky-secret"), http)->token(); });
  EXPECT_EQ(message.find("leaky-secret"), std::string::npos) << message;
  EXPECT_NE(message.find("(redacted)"), std::string::npos) << message;

  // Echoed as it was sent: form-encoded, and inside a JSON string.
  http->script = {reply(400, R"({"error":"invalid_request","error_description":"got )"
                             R"(FILESECRET-Zq9%21x%2F and "FILESECRET-Zq9!x\/""})")};
  message =
      error_of([&] { make_token_provider(secret_options("FILESECRET-Zq9!x/"), http)->token(); });
  EXPECT_EQ(message.find("FILESECRET"), std::string::npos) << message;

  http->script = {reply(403, "<html>Forbidden by proxy</html>")};
  message = error_of([&] { make_token_provider(secret_options("s3cret"), http)->token(); });
  EXPECT_NE(message.find("HTTP 403 without an Entra error body"), std::string::npos) << message;
}

TEST(AzureEntraTokenEndpoint, RetriesAThrottledRequest) {
  auto http = std::make_shared<ScriptedHttp>();
  http->script = {reply(429, R"({"error":"temporarily_unavailable"})"),
                  reply(200, R"({"access_token":"t","expires_in":"3600"})")};
  AccessToken token = make_token_provider(secret_options("s3cret"), http)->token();
  EXPECT_EQ(token.value.reveal(), "t");
  EXPECT_EQ(http->requests.size(), 2u);
}

ManagedIdentityOptions imds_options() {
  ManagedIdentityOptions options;
  options.endpoint = "http://imds.test";
  options.resource = "https://monitor.azure.com";
  options.backoff_base = 1ms;
  return options;
}

const char* kImdsToken =
    R"({"access_token":"imds-token","client_id":"x","expires_in":"86399","expires_on":"1767312000",)"
    R"("ext_expires_in":"86399","not_before":"1767225600","refresh_token":"",)"
    R"("resource":"https://monitor.azure.com","token_type":"Bearer"})";

TEST(AzureManagedIdentity, AsksImdsWithTheMetadataHeader) {
  auto http = std::make_shared<ScriptedHttp>();
  http->script.push_back(reply(200, kImdsToken));
  TokenProviderPtr provider = make_managed_identity_provider(imds_options(), http);
  AccessToken token = provider->token();
  EXPECT_EQ(token.value.reveal(), "imds-token");
  EXPECT_EQ(token.expires_at, Timestamp(std::chrono::seconds(1767312000)));
  ASSERT_EQ(http->requests.size(), 1u);
  EXPECT_EQ(http->requests[0].method, "GET");
  EXPECT_EQ(http->requests[0].url,
            "http://imds.test/metadata/identity/oauth2/token?api-version=2018-02-01"
            "&resource=https%3A%2F%2Fmonitor.azure.com");
  EXPECT_EQ(http::find_header(http->requests[0].headers, "Metadata"), "true");
  EXPECT_EQ(provider->describe(), "managed identity (system-assigned) via IMDS http://imds.test");
}

TEST(AzureManagedIdentity, NamesAUserAssignedIdentity) {
  auto http = std::make_shared<ScriptedHttp>();
  http->script.push_back(reply(200, kImdsToken));
  std::map<std::string, std::string> expected{
      {"client_id", "&client_id=9a1d"},
      {"object_id", "&object_id=c4d5"},
      {"resource_id", "&msi_res_id=%2Fsubscriptions%2Fs%2FuserAssignedIdentities%2Fshipper"}};
  for (const auto& [field, query] : expected) {
    ManagedIdentityOptions options = imds_options();
    if (field == "client_id") options.client_id = "9a1d";
    if (field == "object_id") options.object_id = "c4d5";
    if (field == "resource_id")
      options.resource_id = "/subscriptions/s/userAssignedIdentities/shipper";
    make_managed_identity_provider(options, http)->token();
    EXPECT_TRUE(http->requests.back().url.ends_with(query)) << http->requests.back().url;
  }
}

TEST(AzureManagedIdentity, RetriesWhileImdsIsUpdatingThrottlingOrDown) {
  auto http = std::make_shared<ScriptedHttp>();
  http->script = {reply(404, "{}"),    reply(410, "{}"), reply(429, "{}"),
                  refuse_connection(), reply(503, "{}"), reply(200, kImdsToken)};
  TokenProviderPtr provider = make_managed_identity_provider(imds_options(), http);
  EXPECT_EQ(provider->token().value.reveal(), "imds-token");
  EXPECT_EQ(http->requests.size(), 6u);  // the first try and five retries
  EXPECT_EQ(provider->renewals(), 1u);
}

TEST(AzureManagedIdentity, GivesUpAfterFiveRetriesWithBackoff) {
  auto http = std::make_shared<ScriptedHttp>();
  http->script = {reply(500, R"({"error":"unknown","error_description":"IMDS is unwell"})")};
  ManagedIdentityOptions options = imds_options();
  options.backoff_base = 20ms;
  auto start = std::chrono::steady_clock::now();
  std::string message = error_of([&] { make_managed_identity_provider(options, http)->token(); });
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(http->requests.size(), 6u);
  EXPECT_GE(elapsed, 0ms + 20ms + 40ms + 80ms + 160ms);  // retries at 0, 20, 60, 140, 300 ms
  EXPECT_NE(message.find("HTTP 500 unknown: IMDS is unwell (after 6 attempts)"), std::string::npos)
      << message;
  EXPECT_NE(message.find("system-assigned"), std::string::npos) << message;

  http->script = {refuse_connection()};
  http->requests.clear();
  message = error_of([&] { make_managed_identity_provider(imds_options(), http)->token(); });
  EXPECT_EQ(http->requests.size(), 6u);
  EXPECT_NE(message.find("Couldn't connect"), std::string::npos) << message;
  EXPECT_NE(message.find("managed identity?"), std::string::npos) << message;
}

TEST(AzureManagedIdentity, DoesNotRetryOtherClientErrors) {
  auto http = std::make_shared<ScriptedHttp>();
  http->script = {
      reply(400, R"({"error":"invalid_request","error_description":"Identity not found"})")};
  ManagedIdentityOptions options = imds_options();
  options.client_id = "00000000-0000-0000-0000-00000000dead";
  std::string message = error_of([&] { make_managed_identity_provider(options, http)->token(); });
  EXPECT_EQ(http->requests.size(), 1u);
  EXPECT_NE(message.find("HTTP 400 invalid_request: Identity not found"), std::string::npos)
      << message;
  EXPECT_NE(message.find("client id 00000000-0000-0000-0000-00000000dead"), std::string::npos)
      << message;
}

TEST(AzureManagedIdentity, StopsRetryingWhenAskedTo) {
  auto http = std::make_shared<ScriptedHttp>();
  http->script = {reply(503, "{}")};
  ManagedIdentityOptions options = imds_options();
  options.backoff_base = 10s;
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(100ms);
    stop.request_stop();
  });
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(make_managed_identity_provider(options, http)->token(stop.get_token()), TokenError);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

// ---- The factory

std::function<std::optional<std::string>(const char*)> env_of(
    std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(AzureAuthOptions, RejectsIncompleteOrContradictoryOptions) {
  auto http = std::make_shared<ScriptedHttp>();
  auto error = [&](AzureAuthOptions options) {
    if (!options.getenv) options.getenv = env_of({});
    return error_of([&] { (void)make_token_provider(options, http); });
  };
  AzureAuthOptions options;
  options.cloud = "germany";
  EXPECT_NE(error(options).find("unknown Azure cloud"), std::string::npos);

  options = secret_options("s3cret");
  options.tenant_id.clear();
  EXPECT_NE(error(options).find("client_secret needs tenant_id"), std::string::npos)
      << error(options);
  options = secret_options("s3cret");
  options.tenant_id = "evil/../path";
  EXPECT_NE(error(options).find("neither a GUID nor a domain"), std::string::npos);
  options = secret_options("");
  EXPECT_NE(error(options).find("needs client_secret"), std::string::npos);

  options = {};
  options.auth = azure::AzureAuth::kCertificate;
  options.tenant_id = kTenant;
  options.client_id = kClient;
  options.certificate = "/nonexistent/app.pem";
  std::string message = error(options);
  EXPECT_NE(message.find("/nonexistent/app.pem"), std::string::npos) << message;
  EXPECT_THROW((void)make_token_provider(options, http), std::invalid_argument);

  options = {};
  options.auth = azure::AzureAuth::kWorkloadIdentity;
  options.getenv = env_of({{"AZURE_TENANT_ID", kTenant}, {"AZURE_CLIENT_ID", kClient}});
  EXPECT_NE(error(options).find("AZURE_FEDERATED_TOKEN_FILE"), std::string::npos);

  options = {};
  options.auth = azure::AzureAuth::kManagedIdentity;
  options.client_id = kClient;
  options.managed_identity_object_id = "c4d5";
  EXPECT_NE(error(options).find("at most one of"), std::string::npos);
  EXPECT_TRUE(http->requests.empty());  // nothing was asked of anyone
}

TEST(AzureAuthOptions, AutoTakesTheFirstConfiguredWay) {
  auto http = std::make_shared<ScriptedHttp>();
  TempDir dir;
  std::string pem_path = dir.file("app.pem");
  write_file(pem_path, pem(identity().cert.get()) + pem(identity().key.get()));

  AzureAuthOptions options;
  options.tenant_id = kTenant;
  options.client_id = kClient;
  options.client_secret = Secret("do-not-show-me");
  options.certificate = pem_path;
  options.getenv = env_of({{"AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"}});
  std::string described = make_token_provider(options, http)->describe();
  EXPECT_TRUE(described.starts_with("certificate " + pem_path)) << described;

  options.certificate.clear();
  described = make_token_provider(options, http)->describe();
  EXPECT_EQ(described, "client secret for app " + std::string(kClient) + " in tenant " + kTenant +
                           " at https://login.microsoftonline.com");

  options.client_secret = Secret();
  options.authority_host = "https://login.example.test//";
  described = make_token_provider(options, http)->describe();
  EXPECT_EQ(described, "workload identity (federated token file /var/run/token) for app " +
                           std::string(kClient) + " in tenant " + kTenant +
                           " at https://login.example.test");

  options.getenv = env_of({});
  described = make_token_provider(options, http)->describe();
  EXPECT_EQ(described, "managed identity (user-assigned, client id " + std::string(kClient) +
                           ") via IMDS http://169.254.169.254");
  options.client_id.clear();
  options.imds_endpoint = "http://127.0.0.1:9/";
  described = make_token_provider(options, http)->describe();
  EXPECT_EQ(described, "managed identity (system-assigned) via IMDS http://127.0.0.1:9");
}

TEST(AzureAuthOptions, WorkloadIdentityReadsTheWebhooksVariables) {
  auto http = std::make_shared<ScriptedHttp>();
  AzureAuthOptions options;
  options.auth = azure::AzureAuth::kWorkloadIdentity;
  options.cloud = "usgovernment";
  options.getenv = env_of({{"AZURE_TENANT_ID", "tenant-from-env"},
                           {"AZURE_CLIENT_ID", "client-from-env"},
                           {"AZURE_FEDERATED_TOKEN_FILE", "/tokens/azure-identity-token"},
                           {"AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us/"}});
  EXPECT_EQ(make_token_provider(options, http)->describe(),
            "workload identity (federated token file /tokens/azure-identity-token) for app "
            "client-from-env in tenant tenant-from-env at https://login.microsoftonline.us");
  options.tenant_id = "tenant-from-options";
  options.client_id = "client-from-options";
  EXPECT_EQ(make_token_provider(options, http)->describe(),
            "workload identity (federated token file /tokens/azure-identity-token) for app "
            "client-from-options in tenant tenant-from-options at "
            "https://login.microsoftonline.us");
}

TEST(AzureAuthOptions, ScopeOverrideAndCloudReachTheRequest) {
  auto http = std::make_shared<ScriptedHttp>();
  http->script.push_back(reply(200, R"({"access_token":"t","expires_in":3599})"));
  AzureAuthOptions options = secret_options("s3cret");
  options.authority_host.clear();
  options.cloud = "china";
  make_token_provider(options, http)->token();
  EXPECT_EQ(http->requests.back().url, "https://login.partner.microsoftonline.cn/" +
                                           std::string(kTenant) + "/oauth2/v2.0/token");
  EXPECT_NE(http->requests.back().body.find("scope=https%3A%2F%2Fmonitor.azure.cn%2F.default"),
            std::string::npos);
  options.scope = "https://monitor.azure.com//.default";
  make_token_provider(options, http)->token();
  EXPECT_NE(http->requests.back().body.find("scope=https%3A%2F%2Fmonitor.azure.com%2F%2F.default"),
            std::string::npos);
}

}  // namespace
}  // namespace gd2s::azure
