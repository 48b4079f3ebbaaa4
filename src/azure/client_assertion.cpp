#include "azure/client_assertion.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "azure/token_provider.h"
#include "core/base64.h"
#include "core/json_writer.h"
#include "core/uuid.h"

namespace gd2s::azure {
namespace {

constexpr auto kAssertionLifetime = std::chrono::minutes(10);

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  return text.data();
}

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Bio memory_bio(const std::string& pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
}

// Never prompt on a terminal for a passphrase: an encrypted key simply fails to load.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

std::vector<std::shared_ptr<X509>> read_certificates(const std::string& pem) {
  std::vector<std::shared_ptr<X509>> out;
  Bio bio = memory_bio(pem);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr))
    out.emplace_back(cert, &X509_free);
  ERR_clear_error();  // the end of the file reads as an error
  return out;
}

std::string json_header(const std::string& thumbprint) {
  std::string out;
  StringSink sink(out);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "alg");
  write_string(w, "PS256");
  write_key(w, "typ");
  write_string(w, "JWT");
  write_key(w, "x5t#S256");
  write_string(w, thumbprint);
  w.EndObject();
  return out;
}

std::string json_claims(std::string_view audience, std::string_view client_id, Timestamp now) {
  int64_t issued = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  int64_t expires = issued + std::chrono::seconds(kAssertionLifetime).count();
  std::string out;
  StringSink sink(out);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "aud");
  write_string(w, audience);
  write_key(w, "iss");
  write_string(w, client_id);
  write_key(w, "sub");
  write_string(w, client_id);
  write_key(w, "jti");
  write_string(w, random_uuid());  // jti
  write_key(w, "nbf");
  w.Int64(issued);
  write_key(w, "iat");
  w.Int64(issued);
  write_key(w, "exp");
  w.Int64(expires);
  w.EndObject();
  return out;
}

// RSASSA-PSS with SHA-256, MGF1 SHA-256 and a 32-byte salt: JWS "PS256" (RFC 7518 §3.5).
std::string sign_ps256(EVP_PKEY* key, std::string_view input, const std::string& path) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_PKEY_CTX* pctx = nullptr;
  size_t length = 0;
  auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, data, input.size()) != 1)
    throw TokenError("cannot sign a client assertion with the key in " + path + ": " +
                     openssl_error());
  std::string signature(length, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                     input.size()) != 1)
    throw TokenError("cannot sign a client assertion with the key in " + path + ": " +
                     openssl_error());
  signature.resize(length);
  return signature;
}

}  // namespace

AppCertificate AppCertificate::load(const std::string& pem_path) {
  std::ifstream in(pem_path, std::ios::binary);
  if (!in)
    throw TokenError("cannot read the certificate file " + pem_path + ": " + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  Secret pem(buffer.str());  // it holds the private key: wiped when done

  std::vector<std::shared_ptr<X509>> certificates = read_certificates(pem.reveal());
  if (certificates.empty())
    throw TokenError("the certificate file " + pem_path +
                     " holds no PEM certificate (BEGIN CERTIFICATE); it must hold the "
                     "application's certificate and its private key");
  Bio bio = memory_bio(pem.reveal());
  std::shared_ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr),
                                &EVP_PKEY_free);
  ERR_clear_error();
  if (!key) {
    bool encrypted = pem.reveal().find("ENCRYPTED") != std::string::npos;
    throw TokenError("the certificate file " + pem_path + " holds no " +
                     (encrypted ? "unencrypted private key (passphrase-protected keys are not "
                                  "supported: export the key without a passphrase)"
                                : "private key (BEGIN PRIVATE KEY); it must hold the "
                                  "application's certificate and its private key"));
  }
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
    throw TokenError("the private key in " + pem_path + " is " +
                     EVP_PKEY_get0_type_name(key.get()) +
                     ", not RSA: Entra ID client assertions are signed PS256 (RSA)");

  AppCertificate out;
  out.path_ = pem_path;
  out.key_ = std::move(key);
  for (const std::shared_ptr<X509>& cert : certificates) {
    if (X509_check_private_key(cert.get(), out.key_.get()) == 1) {
      out.certificate_ = cert;
      break;
    }
  }
  ERR_clear_error();
  if (!out.certificate_)
    throw TokenError("the private key in " + pem_path +
                     " does not belong to the certificate in it (or to any of them)");

  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (X509_digest(out.certificate_.get(), EVP_sha256(), digest.data(), &length) != 1)
    throw TokenError("cannot compute the thumbprint of the certificate in " + pem_path + ": " +
                     openssl_error());
  out.thumbprint_ = base64url_encode({reinterpret_cast<const char*>(digest.data()), length});
  return out;
}

Secret AppCertificate::client_assertion(std::string_view audience, std::string_view client_id,
                                        Timestamp now) const {
  std::string signing_input = base64url_encode(json_header(thumbprint_)) + "." +
                              base64url_encode(json_claims(audience, client_id, now));
  std::string signature = sign_ps256(key_.get(), signing_input, path_);
  return Secret(signing_input + "." + base64url_encode(signature));
}

}  // namespace gd2s::azure
