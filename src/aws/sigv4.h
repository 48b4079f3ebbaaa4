#pragma once
// AWS Signature Version 4 (REFERENCE §6): canonical request, string to sign, signature.
// S3's rules differ from every other service's: no path normalisation, no second encoding.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials.h"
#include "core/sha256.h"  // sha256_hex, hmac_sha256: the signature's hashing
#include "core/uri.h"     // uri_encode: the canonical request's encoding

namespace gd2s::aws {

using Header = std::pair<std::string, std::string>;

/// A request as it will be sent.
struct SignableRequest {
  std::string method;
  std::string path;             // as on the wire (S3 keys already URI-encoded)
  std::string query;            // as on the wire, without '?'
  std::vector<Header> headers;  // as sent, Host included
  std::string payload_hash;     // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigningScope {
  std::string region;
  std::string service;  // "s3", "sqs", "sts", "guardduty"
  /// S3 rules: the path is signed as sent (no normalisation, single encoding).
  bool s3_rules = false;
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // hex
  std::string authorization;   // the Authorization header's value
};

/// Signs the headers present in `request` (except those AWS never signs, e.g. User-Agent).
/// The caller has already added x-amz-date, and x-amz-security-token / x-amz-content-sha256
/// where they apply (sign_headers() below does that).
Signature sigv4_sign(const SignableRequest& request, const AwsCredentials& credentials,
                     const SigningScope& scope, std::chrono::sys_seconds time);

/// Adds x-amz-date, x-amz-security-token (session credentials), x-amz-content-sha256 (S3) and
/// Authorization to `request.headers`.
void sign_headers(SignableRequest& request, const AwsCredentials& credentials,
                  const SigningScope& scope, std::chrono::sys_seconds time);

/// "20150830T123600Z"
std::string amz_date(std::chrono::sys_seconds time);

}  // namespace gd2s::aws
