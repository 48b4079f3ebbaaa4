#include "aws/sigv4.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

namespace gd2s::aws {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims, and collapses runs of whitespace (line folds included) into one space.
std::string canonical_header_value(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Headers AWS's own signers never sign: hop-by-hop, or rewritten on the way.
bool never_signed(std::string_view name) {
  static constexpr std::string_view kSkip[] = {"authorization",
                                               "connection",
                                               "expect",
                                               "keep-alive",
                                               "proxy-authenticate",
                                               "proxy-authorization",
                                               "te",
                                               "trailer",
                                               "transfer-encoding",
                                               "upgrade",
                                               "user-agent",
                                               "x-amzn-trace-id"};
  return std::find(std::begin(kSkip), std::end(kSkip), name) != std::end(kSkip);
}

// Removes "." and ".." segments and empty segments, keeping a trailing slash.
std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view segment = path.substr(pos, slash - pos);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    pos = slash + 1;
  }
  std::string out;
  for (std::string_view segment : segments) {
    out += '/';
    out += segment;
  }
  bool trailing = !path.empty() && path.back() == '/' && !segments.empty();
  if (out.empty() || trailing) out += '/';
  return out;
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(pos, amp - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string_view key = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
      params.emplace_back(uri_encode(uri_decode(key), false), uri_encode(uri_decode(value), false));
    }
    pos = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += key;
    out += '=';
    out += value;
  }
  return out;
}

}  // namespace

std::string amz_date(std::chrono::sys_seconds time) {
  using namespace std::chrono;
  auto day = floor<days>(time);
  year_month_day ymd{day};
  hh_mm_ss<seconds> tod{time - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02ld%02ld%02lldZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), long(tod.hours().count()),
                long(tod.minutes().count()), static_cast<long long>(tod.seconds().count()));
  return buf;
}

Signature sigv4_sign(const SignableRequest& request, const AwsCredentials& credentials,
                     const SigningScope& scope, std::chrono::sys_seconds time) {
  // Canonical headers: lower-case names, sorted; repeated headers joined with ','.
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    std::string key = lower(name);
    if (never_signed(key)) continue;
    std::string canonical = canonical_header_value(value);
    auto [it, inserted] = headers.emplace(key, canonical);
    if (!inserted) it->second += "," + canonical;
  }
  Signature out;
  std::string canonical_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!out.signed_headers.empty()) out.signed_headers += ';';
    out.signed_headers += name;
  }
  std::string path = request.path.empty() ? "/" : request.path;
  std::string canonical_uri = scope.s3_rules ? path : uri_encode(normalize_path(path), true);
  out.canonical_request = request.method + "\n" + canonical_uri + "\n" +
                          canonical_query(request.query) + "\n" + canonical_headers + "\n" +
                          out.signed_headers + "\n" + request.payload_hash;

  std::string date = amz_date(time);
  std::string day = date.substr(0, 8);
  std::string credential_scope = day + "/" + scope.region + "/" + scope.service + "/aws4_request";
  out.string_to_sign = "AWS4-HMAC-SHA256\n" + date + "\n" + credential_scope + "\n" +
                       sha256_hex(out.canonical_request);
  std::string key = hmac_sha256("AWS4" + credentials.secret_access_key.reveal(), day);
  key = hmac_sha256(key, scope.region);
  key = hmac_sha256(key, scope.service);
  key = hmac_sha256(key, "aws4_request");
  std::string raw = hmac_sha256(key, out.string_to_sign);
  out.signature = hex_encode(raw);
  out.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" +
                      credential_scope + ", SignedHeaders=" + out.signed_headers +
                      ", Signature=" + out.signature;
  return out;
}

void sign_headers(SignableRequest& request, const AwsCredentials& credentials,
                  const SigningScope& scope, std::chrono::sys_seconds time) {
  request.headers.emplace_back("X-Amz-Date", amz_date(time));
  if (!credentials.session_token.empty())
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token.reveal());
  if (scope.s3_rules) request.headers.emplace_back("X-Amz-Content-SHA256", request.payload_hash);
  Signature signature = sigv4_sign(request, credentials, scope, time);
  request.headers.emplace_back("Authorization", std::move(signature.authorization));
}

}  // namespace gd2s::aws
