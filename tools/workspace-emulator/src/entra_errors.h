// Microsoft Entra ID error responses: HTTP status, OAuth "error", an AADSTS
// code and its text, rendered as Entra renders them (REFERENCE.md §7.2).
#pragma once

#include <cstdint>
#include <string>

namespace wsemu {

struct EntraError {
  int http_status = 400;
  std::string error;  // invalid_request, invalid_client, unauthorized_client, …
  int code = 0;       // the AADSTS number
  std::string text;   // the description after "AADSTS<code>: "
};

/// {"error","error_description","error_codes","timestamp","trace_id",
///  "correlation_id","error_uri"}; the description ends with the trace and
/// correlation ids and the timestamp, as Entra's does.
std::string entra_error_json(const EntraError& error, std::int64_t now,
                             const std::string& correlation_id);

}  // namespace wsemu
