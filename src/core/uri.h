#pragma once
// Percent-encoding as AWS SigV4 and URLs want it (RFC 3986 unreserved characters kept).

#include <string>
#include <string_view>

namespace gd2s {

/// Percent-encodes all but A-Z a-z 0-9 - _ . ~ (and '/' when `keep_slash`), upper-case hex.
std::string uri_encode(std::string_view text, bool keep_slash);
/// Decodes %XX escapes; other bytes pass through.
std::string uri_decode(std::string_view text);

}  // namespace gd2s
