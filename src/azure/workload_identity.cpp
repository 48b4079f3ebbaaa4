// Workload identity federation (REFERENCE §7.4): a token the platform issued to this workload
// (Kubernetes service account token, projected to a file) is the client assertion.

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "azure/token_providers.h"

namespace gd2s::azure {
namespace {

class WorkloadIdentityProvider final : public TokenProvider {
 public:
  WorkloadIdentityProvider(EntraApp app, std::string token_file, http::HttpClientPtr http)
      : app_(std::move(app)), token_file_(std::move(token_file)), http_(std::move(http)) {}

  AccessToken token(std::stop_token stop) override {
    AccessToken token = request_client_credentials_token(
        *http_, app_,
        {ClientCredential::Kind::kAssertion, read_federated_token(),
         "federated token from " + token_file_},
        stop);
    ++renewals_;
    return token;
  }
  void invalidate(const AccessToken&) override {}
  std::string describe() const override {
    return "workload identity (federated token file " + token_file_ + ") for " + app_.identity() +
           " at " + app_.authority_host;
  }
  uint64_t renewals() const override { return renewals_; }

 private:
  // Read afresh for every token: the kubelet replaces the file well before the token expires.
  Secret read_federated_token() const {
    std::ifstream in(token_file_, std::ios::binary);
    if (!in)
      throw TokenError("cannot read the federated token file " + token_file_ +
                       " (AZURE_FEDERATED_TOKEN_FILE) for " + app_.identity() + ": " +
                       std::strerror(errno));
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0)
      text.pop_back();
    if (text.empty())
      throw TokenError("the federated token file " + token_file_ +
                       " (AZURE_FEDERATED_TOKEN_FILE) is empty");
    return Secret(std::move(text));
  }

  EntraApp app_;
  std::string token_file_;
  http::HttpClientPtr http_;
  std::atomic<uint64_t> renewals_{0};
};

}  // namespace

TokenProviderPtr make_workload_identity_provider(EntraApp app, std::string token_file,
                                                 http::HttpClientPtr http) {
  return std::make_shared<WorkloadIdentityProvider>(std::move(app), std::move(token_file),
                                                    std::move(http));
}

}  // namespace gd2s::azure
