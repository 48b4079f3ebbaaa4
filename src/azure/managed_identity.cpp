// Managed identity through the Azure Instance Metadata Service (REFERENCE §7.5): the VM, scale
// set or container host hands out tokens for the identities assigned to it.

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>

#include "azure/token_providers.h"
#include "http/retry.h"

namespace gd2s::azure {
namespace {

using namespace std::chrono_literals;

// IMDS answers these while it is updating (404, 410), throttling (429) or failing (5xx).
bool worth_retrying(long status) {
  return status == 404 || status == 410 || status == 429 || (status >= 500 && status <= 599);
}

// 0, base, 2×base, 4×base, …: with base 2 s, retries at about 0/2/6/14/30 s after the first
// failure, as REFERENCE §7.5 recommends.
Duration delay_before_retry(int retry, Duration base) {
  if (retry <= 1) return Duration{0};
  return base * (int64_t{1} << std::min(retry - 2, 20));
}

// IMDS writes numbers as strings ("expires_on": "1700000000"); accept both.
std::optional<int64_t> number_member(simdjson::dom::element doc, const char* key) {
  int64_t value = 0;
  if (!doc[key].get(value)) return value;
  std::string_view text;
  if (doc[key].get(text)) return std::nullopt;
  if (std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc())
    return std::nullopt;
  return value;
}

class ManagedIdentityProvider final : public TokenProvider {
 public:
  ManagedIdentityProvider(ManagedIdentityOptions options, http::HttpClientPtr http)
      : options_(std::move(options)), http_(std::move(http)) {}

  AccessToken token(std::stop_token stop) override {
    const std::string context = "managed identity token (" + identity() + ") from IMDS " +
                                options_.endpoint + " for " + options_.resource;
    std::string last_failure;
    for (int retry = 0;; ++retry) {
      if (retry > 0 && !http::sleep_for(delay_before_retry(retry, options_.backoff_base), stop))
        throw TokenError(context + ": stopped while retrying after " + last_failure);
      bool last = retry >= options_.max_retries || stop.stop_requested();
      std::string attempts = retry > 0 ? " (after " + std::to_string(retry + 1) + " attempts)" : "";
      Timestamp asked_at = now_utc();
      http::Response response;
      try {
        response = http_->send({"GET", url(), {{"Metadata", "true"}}, "", Duration{0}});
      } catch (const http::HttpError& error) {
        last_failure = error.what();
        if (!last) continue;
        throw TokenError(context + ": " + last_failure + attempts +
                         " — is this an Azure VM, scale set or App Service with a managed "
                         "identity? Otherwise configure another [azure] auth");
      }
      if (response.status == 200) {
        AccessToken token = parse(response, asked_at, context);
        ++renewals_;
        return token;
      }
      last_failure = failure(response);
      if (!worth_retrying(response.status) || last)
        throw TokenError(context + " refused: " + last_failure + attempts,
                         /*transient=*/worth_retrying(response.status));
      spdlog::debug("{}: {}, retrying", context, last_failure);
    }
  }

  void invalidate(const AccessToken&) override {}
  std::string describe() const override {
    return "managed identity (" + identity() + ") via IMDS " + options_.endpoint;
  }
  uint64_t renewals() const override { return renewals_; }

 private:
  std::string identity() const {
    if (!options_.client_id.empty()) return "user-assigned, client id " + options_.client_id;
    if (!options_.object_id.empty()) return "user-assigned, object id " + options_.object_id;
    if (!options_.resource_id.empty()) return "user-assigned, " + options_.resource_id;
    return "system-assigned";
  }

  std::string url() const {
    std::string out = options_.endpoint +
                      "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=" +
                      form_escape(options_.resource);
    if (!options_.client_id.empty()) out += "&client_id=" + form_escape(options_.client_id);
    if (!options_.object_id.empty()) out += "&object_id=" + form_escape(options_.object_id);
    if (!options_.resource_id.empty()) out += "&msi_res_id=" + form_escape(options_.resource_id);
    return out;
  }

  static std::string failure(const http::Response& response) {
    std::string text = "HTTP " + std::to_string(response.status);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view error, description;
    if (parser.parse(response.body).get(doc) || doc["error"].get(error)) return text;
    text += " " + std::string(error);
    if (!doc["error_description"].get(description)) text += ": " + std::string(description);
    if (description.find("Identity not found") != std::string_view::npos)
      text +=
          " — no such identity is assigned to this machine: check client_id, "
          "managed_identity_object_id or managed_identity_resource_id";
    return text;
  }

  static AccessToken parse(const http::Response& response, Timestamp asked_at,
                           const std::string& context) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view token;
    if (parser.parse(response.body).get(doc) || doc["access_token"].get(token) || token.empty())
      throw TokenError(context + ": the answer (HTTP 200) has no access_token");
    if (std::optional<int64_t> on = number_member(doc, "expires_on"))
      return {Secret(std::string(token)), Timestamp(std::chrono::seconds(*on))};
    if (std::optional<int64_t> in = number_member(doc, "expires_in"))
      return {Secret(std::string(token)), asked_at + std::chrono::seconds(*in)};
    throw TokenError(context + ": the answer (HTTP 200) has neither expires_on nor expires_in");
  }

  ManagedIdentityOptions options_;
  http::HttpClientPtr http_;
  std::atomic<uint64_t> renewals_{0};
};

}  // namespace

TokenProviderPtr make_managed_identity_provider(ManagedIdentityOptions options,
                                                http::HttpClientPtr http) {
  return std::make_shared<ManagedIdentityProvider>(std::move(options), std::move(http));
}

}  // namespace gd2s::azure
