#pragma once
// SHA-256 over bytes that arrive in pieces (OpenSSL EVP): the hash of a text too long to keep.

#include <memory>
#include <string>
#include <string_view>

namespace gd2s {

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
