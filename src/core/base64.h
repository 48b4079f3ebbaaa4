#pragma once
// Base64 (RFC 4648 §4) through OpenSSL: dead letters, SharedKey signatures, JWTs.

#include <optional>
#include <string>
#include <string_view>

namespace gd2s {

std::string base64_encode(std::string_view bytes);
/// Strict: nullopt for anything but padded base64 (whitespace is not allowed).
std::optional<std::string> base64_decode(std::string_view text);
/// The URL-safe alphabet without padding (RFC 7515 §2), as JWTs write their parts.
std::string base64url_encode(std::string_view bytes);

}  // namespace gd2s
