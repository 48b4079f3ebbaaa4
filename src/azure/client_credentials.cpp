// Client credentials grants that prove the application with something it holds: a client secret
// (REFERENCE §7.2) or a certificate's private key (§7.3).

#include <atomic>

#include "azure/client_assertion.h"
#include "azure/token_providers.h"

namespace gd2s::azure {
namespace {

class ClientSecretProvider final : public TokenProvider {
 public:
  ClientSecretProvider(EntraApp app, Secret secret, http::HttpClientPtr http)
      : app_(std::move(app)), secret_(std::move(secret)), http_(std::move(http)) {}

  AccessToken token(std::stop_token stop) override {
    AccessToken token = request_client_credentials_token(
        *http_, app_, {ClientCredential::Kind::kSecret, secret_, "client secret"}, stop);
    ++renewals_;
    return token;
  }
  void invalidate(const AccessToken&) override {}
  std::string describe() const override {
    return "client secret for " + app_.identity() + " at " + app_.authority_host;
  }
  uint64_t renewals() const override { return renewals_; }

 private:
  EntraApp app_;
  Secret secret_;
  http::HttpClientPtr http_;
  std::atomic<uint64_t> renewals_{0};
};

class CertificateProvider final : public TokenProvider {
 public:
  CertificateProvider(EntraApp app, std::string pem_path, http::HttpClientPtr http)
      : app_(std::move(app)), pem_path_(std::move(pem_path)), http_(std::move(http)) {}

  AccessToken token(std::stop_token stop) override {
    // Read at every renewal: a certificate rotated on disk is used from the next token on.
    AppCertificate certificate = AppCertificate::load(pem_path_);
    Secret assertion =
        certificate.client_assertion(app_.token_endpoint(), app_.client_id, now_utc());
    AccessToken token =
        request_client_credentials_token(*http_, app_,
                                         {ClientCredential::Kind::kAssertion, std::move(assertion),
                                          "certificate " + certificate.thumbprint_sha256()},
                                         stop);
    ++renewals_;
    return token;
  }
  void invalidate(const AccessToken&) override {}
  std::string describe() const override {
    return "certificate " + pem_path_ + " for " + app_.identity() + " at " + app_.authority_host;
  }
  uint64_t renewals() const override { return renewals_; }

 private:
  EntraApp app_;
  std::string pem_path_;
  http::HttpClientPtr http_;
  std::atomic<uint64_t> renewals_{0};
};

}  // namespace

TokenProviderPtr make_client_secret_provider(EntraApp app, Secret secret,
                                             http::HttpClientPtr http) {
  return std::make_shared<ClientSecretProvider>(std::move(app), std::move(secret), std::move(http));
}

TokenProviderPtr make_certificate_provider(EntraApp app, std::string pem_path,
                                           http::HttpClientPtr http) {
  return std::make_shared<CertificateProvider>(std::move(app), std::move(pem_path),
                                               std::move(http));
}

}  // namespace gd2s::azure
