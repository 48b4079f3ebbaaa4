#include "shared_key.h"

#include "base64.h"
#include "crypto.h"

namespace wsemu {

std::string data_collector_string_to_sign(std::size_t content_length, std::string_view content_type,
                                          std::string_view x_ms_date, std::string_view resource) {
  std::string out = "POST\n";
  out += std::to_string(content_length);
  out += '\n';
  out += content_type;
  out += "\nx-ms-date:";
  out += x_ms_date;
  out += '\n';
  out += resource;
  return out;
}

std::optional<std::string> data_collector_signature(std::string_view shared_key_base64,
                                                    std::string_view string_to_sign) {
  const auto key = base64_decode(shared_key_base64);
  if (!key) return std::nullopt;
  return base64_encode(hmac_sha256(*key, string_to_sign));
}

std::optional<SharedKeyAuthorization> parse_shared_key_authorization(std::string_view header) {
  constexpr std::string_view kScheme = "SharedKey ";
  if (header.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  header.remove_prefix(kScheme.size());
  const auto colon = header.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == header.size()) {
    return std::nullopt;
  }
  return SharedKeyAuthorization{std::string(header.substr(0, colon)),
                                std::string(header.substr(colon + 1))};
}

bool verify_data_collector_signature(std::string_view shared_key_base64,
                                     std::string_view string_to_sign, std::string_view signature) {
  const auto expected = data_collector_signature(shared_key_base64, string_to_sign);
  return expected && constant_time_equal(*expected, signature);
}

}  // namespace wsemu
