// Base64 (RFC 4648 §4) and base64url (§5) without any dependency.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wsemu {

/// Standard base64 with '=' padding.
std::string base64_encode(std::string_view bytes);

/// base64url without padding, as JWTs use it.
std::string base64url_encode(std::string_view bytes);

/// Decodes standard base64. Padding is optional; whitespace and any other
/// character outside the alphabet make the input invalid.
std::optional<std::string> base64_decode(std::string_view text);

/// Decodes base64url (padding optional).
std::optional<std::string> base64url_decode(std::string_view text);

/// Lower-case hexadecimal of raw bytes.
std::string hex_encode(std::string_view bytes);

}  // namespace wsemu
