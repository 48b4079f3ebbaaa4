#include "tls_material.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace wsemu {
namespace {

void set_serial(X509* cert) {
  const std::string bytes = random_bytes(16);
  BIGNUM* bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), 16, nullptr);
  BN_clear_bit(bn, 127);  // keep it positive
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
}

void set_name(X509_NAME* name, const std::string& common_name) {
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("gd2sentinel test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) throw CryptoError("certificate extension failed");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

Cert new_certificate(EVP_PKEY* subject_key, const std::string& common_name, int days) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  set_serial(cert.get());
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 86400L);
  X509_set_pubkey(cert.get(), subject_key);
  set_name(X509_get_subject_name(cert.get()), common_name);
  return cert;
}

void sign(X509* cert, EVP_PKEY* issuer_key) {
  if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0) {
    ERR_clear_error();
    throw CryptoError("certificate signature failed");
  }
}

}  // namespace

ServerTls generate_server_tls(int days) {
  ServerTls tls;
  tls.ca_key = generate_rsa_key(2048);
  tls.ca_cert = new_certificate(tls.ca_key.get(), "gd2sentinel workspace emulator test CA", days);
  X509_set_issuer_name(tls.ca_cert.get(), X509_get_subject_name(tls.ca_cert.get()));
  add_extension(tls.ca_cert.get(), tls.ca_cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(tls.ca_cert.get(), tls.ca_cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(tls.ca_cert.get(), tls.ca_cert.get(), NID_subject_key_identifier, "hash");
  sign(tls.ca_cert.get(), tls.ca_key.get());

  tls.server_key = generate_rsa_key(2048);
  tls.server_cert = new_certificate(tls.server_key.get(), "127.0.0.1", days);
  X509_set_issuer_name(tls.server_cert.get(), X509_get_subject_name(tls.ca_cert.get()));
  add_extension(tls.server_cert.get(), tls.ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(tls.server_cert.get(), tls.ca_cert.get(), NID_key_usage,
                "critical,digitalSignature,keyEncipherment");
  add_extension(tls.server_cert.get(), tls.ca_cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(tls.server_cert.get(), tls.ca_cert.get(), NID_subject_alt_name,
                "IP:127.0.0.1,IP:::1,DNS:localhost");
  add_extension(tls.server_cert.get(), tls.ca_cert.get(), NID_authority_key_identifier, "keyid");
  sign(tls.server_cert.get(), tls.ca_key.get());
  return tls;
}

ClientCertificate generate_client_certificate(const std::string& common_name, int days) {
  ClientCertificate out;
  out.key = generate_rsa_key(2048);
  out.cert = new_certificate(out.key.get(), common_name, days);
  X509_set_issuer_name(out.cert.get(), X509_get_subject_name(out.cert.get()));
  add_extension(out.cert.get(), out.cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(out.cert.get(), out.cert.get(), NID_ext_key_usage, "clientAuth");
  sign(out.cert.get(), out.key.get());
  return out;
}

}  // namespace wsemu
