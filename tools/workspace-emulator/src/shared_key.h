// The Data Collector API's SharedKey signature (REFERENCE.md §10.3):
//   StringToSign = "POST\n" + Content-Length + "\n" + Content-Type + "\n"
//                  + "x-ms-date:" + x-ms-date + "\n" + "/api/logs"
//   Signature    = Base64(HMAC-SHA256(Base64Decode(key), UTF-8(StringToSign)))
//   Authorization: SharedKey <WorkspaceId>:<Signature>
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wsemu {

std::string data_collector_string_to_sign(std::size_t content_length, std::string_view content_type,
                                          std::string_view x_ms_date,
                                          std::string_view resource = "/api/logs");

/// Base64 HMAC-SHA256 of the string to sign; nullopt when the key is not base64.
std::optional<std::string> data_collector_signature(std::string_view shared_key_base64,
                                                    std::string_view string_to_sign);

struct SharedKeyAuthorization {
  std::string workspace_id;
  std::string signature;
};

/// Parses "SharedKey <workspace id>:<signature>".
std::optional<SharedKeyAuthorization> parse_shared_key_authorization(std::string_view header);

/// True when `signature` (as sent) matches one computed with `shared_key_base64`.
bool verify_data_collector_signature(std::string_view shared_key_base64,
                                     std::string_view string_to_sign, std::string_view signature);

}  // namespace wsemu
