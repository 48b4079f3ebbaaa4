#pragma once
// SHA-256 (OpenSSL): over bytes that arrive in pieces (the hash of a text too long to keep), of a
// text at once, and as HMAC, for every signature the project makes (SigV4, SharedKey).

#include <memory>
#include <string>
#include <string_view>

namespace gd2s {

/// `bytes` as lowercase hex digits, two a byte.
std::string hex_encode(std::string_view bytes);
/// SHA-256 of `data` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);
/// HMAC-SHA256 of `data` under `key`: the 32 raw digest bytes.
std::string hmac_sha256(std::string_view key, std::string_view data);

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(std::string_view bytes);
  /// The digest of everything given so far, as 64 lowercase hex digits; starts afresh after.
  std::string hex_digest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace gd2s
