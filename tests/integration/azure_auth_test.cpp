// The Entra ID token providers against the workspace emulator: tokens from a client secret, a
// certificate, a federated token file and IMDS, each used on the Logs Ingestion API; Entra's
// refusals; IMDS faults and retries; renewal of short-lived tokens.

#include "azure/azure_auth.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <thread>

#include "http/curl_client.h"
#include "support/test_support.h"
#include "support/workspace_emulator.h"

namespace gd2s::azure {
namespace {

using namespace std::chrono_literals;
using test::TempDir;
using test::WorkspaceEmulator;
using test::write_file;

using test::error_of;

size_t count_requests(WorkspaceEmulator& emulator, const std::string& endpoint) {
  simdjson::dom::parser parser;
  simdjson::dom::array log;
  if (parser.parse(emulator.requests(endpoint)).get(log)) return 0;
  return log.size();
}

class AzureAuthEmulator : public ::testing::Test {
 protected:
  void start(const std::string& extra_json = "",
             const std::vector<std::string>& app_certificates = {}) {
    emulator_ = std::make_unique<WorkspaceEmulator>(extra_json, app_certificates);
    http::HttpOptions options;
    options.ca_file = emulator_->ca_file();
    http_ = http::make_curl_client(options);
  }

  AzureAuthOptions secret_options(const std::string& secret) const {
    AzureAuthOptions options;
    options.auth = azure::AzureAuth::kClientSecret;
    options.tenant_id = WorkspaceEmulator::kTenant;
    options.client_id = WorkspaceEmulator::kClientId;
    options.client_secret = Secret(secret);
    options.authority_host = emulator_->url();
    options.getenv = [](const char*) { return std::nullopt; };
    return options;
  }

  AzureAuthOptions managed_identity_options() const {
    AzureAuthOptions options;
    options.auth = azure::AzureAuth::kManagedIdentity;
    options.imds_endpoint = emulator_->http_url();
    options.imds_backoff_base = 10ms;
    options.getenv = [](const char*) { return std::nullopt; };
    return options;
  }

  /// Posts one row to the native stream with the token; the HTTP status.
  long ingest(const AccessToken& token) {
    http::Request request{
        "POST",
        emulator_->url() + "/dataCollectionRules/" + WorkspaceEmulator::kDcr + "/streams/" +
            WorkspaceEmulator::kNativeStream + "?api-version=2023-01-01",
        {{"Authorization", "Bearer " + token.value.reveal()}, {"Content-Type", "application/json"}},
        R"([{"TimeGenerated":"2026-01-01T00:00:00Z","Id":"x"}])",
        Duration{0}};
    return http_->send(request).status;
  }

  std::unique_ptr<WorkspaceEmulator> emulator_;
  http::HttpClientPtr http_;
};

TEST_F(AzureAuthEmulator, ClientSecretTokenIsAcceptedByLogsIngestion) {
  start();
  TokenProviderPtr provider =
      make_token_provider(secret_options(WorkspaceEmulator::kClientSecret), http_);
  AccessToken token = provider->token();
  EXPECT_GT(token.expires_at, now_utc() + 50min);
  EXPECT_EQ(ingest(token), 204);
  EXPECT_EQ(emulator_->row_count("AWSGuardDuty"), 1);
  EXPECT_EQ(provider->token().value.reveal(), token.value.reveal());  // cached
  EXPECT_EQ(provider->renewals(), 1u);
  EXPECT_EQ(count_requests(*emulator_, "token"), 1u);
}

TEST_F(AzureAuthEmulator, WrongSecretIsRefusedWithAadsts7000215) {
  start();
  const std::string wrong = "not-the-emulator-client-secret";
  TokenProviderPtr provider = make_token_provider(secret_options(wrong), http_);
  std::string message = error_of([&] { provider->token(); });
  EXPECT_NE(message.find("AADSTS7000215"), std::string::npos) << message;
  EXPECT_NE(message.find(WorkspaceEmulator::kTenant), std::string::npos) << message;
  EXPECT_NE(message.find(WorkspaceEmulator::kClientId), std::string::npos) << message;
  EXPECT_EQ(message.find(wrong), std::string::npos) << message;
  EXPECT_THROW(provider->token(), TokenError);
  EXPECT_EQ(provider->renewals(), 0u);
}

TEST_F(AzureAuthEmulator, UnknownTenantIsRefusedWithAadsts90002) {
  start();
  AzureAuthOptions options = secret_options(WorkspaceEmulator::kClientSecret);
  options.tenant_id = "11111111-0000-4000-8000-00000000dead";
  std::string message = error_of([&] { make_token_provider(options, http_)->token(); });
  EXPECT_NE(message.find("AADSTS90002"), std::string::npos) << message;
  EXPECT_NE(message.find("check tenant_id"), std::string::npos) << message;
  EXPECT_EQ(message.find(WorkspaceEmulator::kClientSecret), std::string::npos) << message;
}

TEST_F(AzureAuthEmulator, CertificateAssertionGetsAToken) {
  TempDir certs;
  std::string registered = certs.file("app.pem");
  std::string unregistered = certs.file("other.pem");
  WorkspaceEmulator::generate_app_certificate(registered);
  std::string unregistered_thumbprint = WorkspaceEmulator::generate_app_certificate(unregistered);
  start("", {registered});

  AzureAuthOptions options;
  options.tenant_id = WorkspaceEmulator::kTenant;
  options.client_id = WorkspaceEmulator::kClientId;
  options.certificate = registered;
  options.authority_host = emulator_->url() + "/";
  options.getenv = [](const char*) { return std::nullopt; };  // auto: the certificate
  TokenProviderPtr provider = make_token_provider(options, http_);
  EXPECT_TRUE(provider->describe().starts_with("certificate " + registered))
      << provider->describe();
  EXPECT_EQ(ingest(provider->token()), 204);

  options.certificate = unregistered;
  std::string message = error_of([&] { make_token_provider(options, http_)->token(); });
  EXPECT_NE(message.find("AADSTS700027"), std::string::npos) << message;
  EXPECT_NE(message.find(unregistered_thumbprint), std::string::npos) << message;
}

TEST_F(AzureAuthEmulator, WorkloadIdentityRereadsTheTokenFile) {
  start();
  TempDir dir;
  std::string token_file = dir.file("azure-identity-token");
  auto federated = [&] {
    return emulator_->federated_token(WorkspaceEmulator::kFederatedIssuer,
                                      WorkspaceEmulator::kFederatedSubject);
  };
  write_file(token_file, federated() + "\n");
  AzureAuthOptions options;
  std::map<std::string, std::string> env{{"AZURE_TENANT_ID", WorkspaceEmulator::kTenant},
                                         {"AZURE_CLIENT_ID", WorkspaceEmulator::kClientId},
                                         {"AZURE_FEDERATED_TOKEN_FILE", token_file},
                                         {"AZURE_AUTHORITY_HOST", emulator_->url()}};
  options.getenv = [env](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  TokenProviderPtr provider = make_token_provider(options, http_);  // auto
  EXPECT_TRUE(provider->describe().starts_with("workload identity")) << provider->describe();
  AccessToken first = provider->token();
  EXPECT_EQ(ingest(first), 204);

  // The kubelet replaced the file with something Entra refuses: the next renewal reads it.
  write_file(token_file, "garbage.not-a.jwt");
  provider->invalidate(first);
  std::string message = error_of([&] { provider->token(); });
  EXPECT_NE(message.find("AADSTS"), std::string::npos) << message;
  EXPECT_EQ(message.find("garbage.not-a.jwt"), std::string::npos) << message;

  write_file(token_file, federated());
  AccessToken second = provider->token();
  EXPECT_EQ(ingest(second), 204);
  EXPECT_EQ(provider->renewals(), 2u);
}

TEST_F(AzureAuthEmulator, ManagedIdentitySystemAndUserAssigned) {
  start();
  TokenProviderPtr system_assigned = make_token_provider(managed_identity_options(), http_);
  EXPECT_EQ(system_assigned->describe(),
            "managed identity (system-assigned) via IMDS " + emulator_->http_url());
  AccessToken token = system_assigned->token();
  EXPECT_GT(token.expires_at, now_utc() + 1h);
  EXPECT_EQ(ingest(token), 204);

  AzureAuthOptions by_client_id = managed_identity_options();
  by_client_id.client_id = WorkspaceEmulator::kManagedIdentityClientId;
  EXPECT_EQ(ingest(make_token_provider(by_client_id, http_)->token()), 204);

  AzureAuthOptions by_object_id = managed_identity_options();
  by_object_id.managed_identity_object_id = WorkspaceEmulator::kManagedIdentityObjectId;
  EXPECT_EQ(ingest(make_token_provider(by_object_id, http_)->token()), 204);

  size_t before = count_requests(*emulator_, "imds");
  AzureAuthOptions unknown = managed_identity_options();
  unknown.client_id = "00000000-0000-4000-8000-00000000dead";
  std::string message = error_of([&] { make_token_provider(unknown, http_)->token(); });
  EXPECT_NE(message.find("Identity not found"), std::string::npos) << message;
  EXPECT_EQ(count_requests(*emulator_, "imds"), before + 1);  // a 400 is not retried
}

TEST_F(AzureAuthEmulator, ImdsUnavailableIsRetried) {
  start();
  emulator_->set_faults(R"([{"endpoint": "imds", "status": 503, "times": 2}])");
  TokenProviderPtr provider = make_token_provider(managed_identity_options(), http_);
  EXPECT_EQ(ingest(provider->token()), 204);
  EXPECT_EQ(count_requests(*emulator_, "imds"), 3u);

  emulator_->set_faults(R"([{"endpoint": "imds", "status": 410}])");
  AzureAuthOptions options = managed_identity_options();
  std::string message = error_of([&] { make_token_provider(options, http_)->token(); });
  EXPECT_NE(message.find("HTTP 410"), std::string::npos) << message;
  EXPECT_NE(message.find("after 6 attempts"), std::string::npos) << message;
  EXPECT_EQ(count_requests(*emulator_, "imds"), 3u + 6u);
}

TEST_F(AzureAuthEmulator, ImdsBadRequestIsNotRetried) {
  start();
  emulator_->set_faults(R"([{"endpoint": "imds", "status": 400}])");
  std::string message =
      error_of([&] { make_token_provider(managed_identity_options(), http_)->token(); });
  EXPECT_NE(message.find("HTTP 400"), std::string::npos) << message;
  EXPECT_EQ(count_requests(*emulator_, "imds"), 1u);
}

TEST_F(AzureAuthEmulator, TokensWithinFiveMinutesOfExpiryAreRenewed) {
  start(R"("entra": {"token_lifetime_seconds": 301})");
  TokenProviderPtr provider =
      make_token_provider(secret_options(WorkspaceEmulator::kClientSecret), http_);
  for (int i = 1; i <= 3; ++i) {
    // 301 s: more than five minutes left only in the first second after it was issued.
    if (i > 1) std::this_thread::sleep_for(1100ms);
    AccessToken token = provider->token();
    EXPECT_LE(token.expires_at, now_utc() + 301s);
    EXPECT_EQ(ingest(token), 204);
    EXPECT_EQ(provider->renewals(), static_cast<uint64_t>(i));
  }
  EXPECT_EQ(count_requests(*emulator_, "token"), 3u);
}

}  // namespace
}  // namespace gd2s::azure
