// The OpenSSL operations the emulator needs: digests, HMAC, RSA keys and
// certificates, RS256/PS256 signatures, random identifiers.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace wsemu {

struct PKeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using PKey = std::unique_ptr<EVP_PKEY, PKeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

/// Thrown when OpenSSL fails where failure is not an expected outcome.
class CryptoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string sha256(std::string_view data);
std::string sha1(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view message);

/// Compares two byte strings in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

/// `n` cryptographically random bytes.
std::string random_bytes(std::size_t n);

/// A random (version 4) GUID in lower-case 8-4-4-4-12 form.
std::string new_guid();

PKey generate_rsa_key(int bits);

std::string private_key_pem(EVP_PKEY* key);
std::string public_key_pem(EVP_PKEY* key);
std::string certificate_pem(X509* cert);
std::string certificate_der(X509* cert);

/// The first private key in a PEM text (PKCS#8, PKCS#1 or SEC1), or null.
PKey read_private_key_pem(std::string_view pem);
/// Every certificate in a PEM text, in order.
std::vector<Cert> read_certificates_pem(std::string_view pem);
/// A public key from a PEM text holding either a PUBLIC KEY or a certificate.
PKey read_public_key_pem(std::string_view pem);
/// The public key of a certificate.
PKey certificate_public_key(X509* cert);

/// RSA modulus and exponent as base64url (the JWK "n" and "e").
struct RsaPublicNumbers {
  std::string n;
  std::string e;
};
RsaPublicNumbers rsa_public_numbers(EVP_PKEY* key);
/// An RSA public key from JWK "n" and "e" (base64url), or null.
PKey rsa_public_key_from_jwk(std::string_view n, std::string_view e);

enum class SignatureAlg { RS256, PS256 };
std::optional<SignatureAlg> parse_signature_alg(std::string_view jws_alg);
std::string_view to_string(SignatureAlg alg);

std::string rsa_sign(EVP_PKEY* key, SignatureAlg alg, std::string_view message);
bool rsa_verify(EVP_PKEY* key, SignatureAlg alg, std::string_view message,
                std::string_view signature);

std::string read_file(const std::string& path);
void write_file(const std::string& path, std::string_view content);

}  // namespace wsemu
