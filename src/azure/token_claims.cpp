#include "azure/token_claims.h"

#include <simdjson.h>

#include "core/base64.h"

namespace gd2s::azure {

std::string token_identity(const std::string& token) {
  size_t first = token.find('.'), second = token.find('.', first + 1);
  if (first == std::string::npos || second == std::string::npos) return "an opaque token";
  std::string payload = token.substr(first + 1, second - first - 1);
  for (char& c : payload) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (payload.size() % 4) payload += '=';
  auto decoded = base64_decode(payload);
  if (!decoded) return "a token whose claims are not readable";
  simdjson::dom::parser parser;
  simdjson::dom::element claims;
  if (parser.parse(*decoded).get(claims)) return "a token whose claims are not JSON";
  std::string out;
  for (const char* name : {"appid", "azp", "oid", "tid"}) {
    std::string_view value;
    if (!claims[name].get(value))
      out += (out.empty() ? "" : ", ") + std::string(name) + " " + std::string(value);
  }
  return out.empty() ? "a token without identity claims" : out;
}

}  // namespace gd2s::azure
