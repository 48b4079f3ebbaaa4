#include "azure/entra_token_endpoint.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <optional>

#include "core/redaction.h"
#include "http/retry.h"

namespace gd2s::azure {
namespace {

using namespace std::chrono_literals;

// Transient answers (throttling, outages) are worth a few quick tries; a token request that still
// fails is the cache's to report, and the sink's to retry later.
const http::Backoff kTokenRetries{500ms, 8s, 4};

// What a person should check for the AADSTS codes a misconfiguration gives (REFERENCE §7.2–§7.4).
const char* hint_for(long code) {
  switch (code) {
    case 90002:
      return "check tenant_id, and that the authority matches the tenant's cloud";
    case 700016:
      return "check client_id: no application with this id is registered in the tenant";
    case 7000215:
      return "check the client secret: use the secret's Value (not its Secret ID), and that it "
             "was not replaced";
    case 7000222:
      return "the client secret has expired: create a new one in the app registration";
    case 700027:
      return "the certificate is not registered on the application: upload its public part under "
             "Certificates & secrets";
    case 700024:
      return "the assertion is outside its validity window: check the system clock";
    case 500011:
    case 1002012:
    case 70011:
      return "check scope and cloud: the scope must be <resource>/.default for this cloud";
    case 700211:
    case 700212:
    case 700213:
      return "no federated credential on the application matches the token's issuer, audience "
             "and subject: check the app's federated credentials and the service account";
    default:
      return nullptr;
  }
}

// "AADSTS7000215: Invalid client secret..." → 7000215, when error_codes is absent.
std::optional<long> code_in(std::string_view description) {
  size_t at = description.find("AADSTS");
  if (at == std::string_view::npos) return std::nullopt;
  long code = 0;
  const char* begin = description.data() + at + 6;
  auto [end, ec] = std::from_chars(begin, description.data() + description.size(), code);
  if (ec != std::errc() || end == begin) return std::nullopt;
  return code;
}

std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string describe_failure(const http::Response& response) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view error, description;
  if (parser.parse(response.body).get(doc) || !doc.is_object() || doc["error"].get(error))
    return "HTTP " + std::to_string(response.status) +
           " without an Entra error body (is a proxy or firewall in the way?)";
  if (doc["error_description"].get(description)) description = {};
  std::optional<long> code;
  int64_t first = 0;
  if (!doc["error_codes"].at(0).get(first)) code = first;
  if (!code) code = code_in(description);
  std::string text = "HTTP " + std::to_string(response.status) + " " + std::string(error);
  if (!description.empty()) text += ": " + one_line(description);
  if (const char* hint = code ? hint_for(*code) : nullptr) text += " — " + std::string(hint);
  return text;
}

AccessToken parse_token(const http::Response& response, Timestamp asked_at,
                        const std::string& context) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view token;
  if (parser.parse(response.body).get(doc) || doc["access_token"].get(token) || token.empty())
    throw TokenError(context + ": the answer (HTTP 200) has no access_token");
  int64_t seconds = 0;
  std::string_view text;
  if (doc["expires_in"].get(seconds)) {
    if (doc["expires_in"].get(text) ||
        std::from_chars(text.data(), text.data() + text.size(), seconds).ec != std::errc())
      throw TokenError(context + ": the answer (HTTP 200) has no expires_in");
  }
  // From when we asked, not when the answer came: the token never outlives what we think.
  return AccessToken{Secret(std::string(token)), asked_at + std::chrono::seconds(seconds)};
}

}  // namespace

std::string EntraApp::token_endpoint() const {
  return authority_host + "/" + tenant_id + "/oauth2/v2.0/token";
}

std::string EntraApp::identity() const {
  return "app " + client_id + " in tenant " + tenant_id;
}

std::string form_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

AccessToken request_client_credentials_token(http::HttpClient& http, const EntraApp& app,
                                             const ClientCredential& credential,
                                             std::stop_token stop) {
  std::string url = app.token_endpoint();
  std::string context =
      "Entra ID token for " + app.identity() + " (" + credential.what + ") from " + url;
  Secret body(
      "grant_type=client_credentials&client_id=" + form_escape(app.client_id) +
      "&scope=" + form_escape(app.scope) +
      (credential.kind == ClientCredential::Kind::kSecret
           ? "&client_secret=" + form_escape(credential.value.reveal())
           : "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-"
             "bearer&client_assertion=" +
                 form_escape(credential.value.reveal())));
  Timestamp asked_at = now_utc();
  http::Response response;
  try {
    response = http::send_with_retries(
        http,
        [&] {
          return http::Request{"POST",
                               url,
                               {{"Content-Type", "application/x-www-form-urlencoded"},
                                {"Accept", "application/json"}},
                               body.reveal(),
                               Duration{0}};
        },
        kTokenRetries, stop);
  } catch (const http::HttpError& error) {
    throw TokenError(redact(context + ": " + error.what()), /*transient=*/true);
  }
  if (response.status != 200)
    throw TokenError(redact(context + " refused: " + describe_failure(response)),
                     /*transient=*/http::is_retryable_status(response.status));
  AccessToken token = parse_token(response, asked_at, context);
  spdlog::debug("{}: new token, expires {}", context, format_iso8601(token.expires_at));
  return token;
}

}  // namespace gd2s::azure
