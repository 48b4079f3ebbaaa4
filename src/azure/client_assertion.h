#pragma once
// The application certificate and the client assertion it signs (REFERENCE §7.3): a JWT with
// header {"alg":"PS256","typ":"JWT","x5t#S256":…} and claims aud, iss, sub, jti, nbf, iat, exp.

#include <memory>
#include <string>
#include <string_view>

#include "core/secret.h"
#include "core/time.h"

struct x509_st;
struct evp_pkey_st;

namespace gd2s::azure {

/// A certificate and its RSA private key, read from one PEM file (either order; in a chain, the
/// certificate that belongs to the key).
class AppCertificate {
 public:
  /// Throws TokenError naming the file when it is missing or unreadable, holds no certificate,
  /// no private key (or only an encrypted one), a key that is not RSA, or a key that does not
  /// belong to any of its certificates.
  static AppCertificate load(const std::string& pem_path);

  const std::string& path() const { return path_; }
  /// base64url(SHA-256 of the certificate's DER): the header's x5t#S256, as Entra shows it.
  const std::string& thumbprint_sha256() const { return thumbprint_; }

  /// A PS256 client assertion for `client_id`, addressed to `audience` (the token endpoint),
  /// valid from `now` for ten minutes, with a fresh random jti.
  Secret client_assertion(std::string_view audience, std::string_view client_id,
                          Timestamp now) const;

 private:
  AppCertificate() = default;
  std::string path_;
  std::string thumbprint_;
  std::shared_ptr<x509_st> certificate_;
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace gd2s::azure
