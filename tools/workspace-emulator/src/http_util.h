// What every endpoint shares: the request record written to the request log,
// JSON answers, form bodies, the base URL a client used, injected faults and
// connection resets.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <httplib.h>

#include "emulator.h"

namespace wsemu {

/// Records one request in the request log when it goes out of scope, with the
/// status the response ended with. Sets x-ms-request-id on the response.
class RequestScope {
 public:
  RequestScope(Emulator& emulator, Endpoint endpoint, const httplib::Request& request,
               httplib::Response& response);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

  RequestRecord& record() { return record_; }

 private:
  Emulator& emulator_;
  httplib::Response& response_;
  RequestRecord record_;
  std::chrono::steady_clock::time_point start_;
};

void set_json(httplib::Response& response, int status, const std::string& body);

/// Decodes %XX escapes (and '+' as space when asked).
std::string url_decode(std::string_view text, bool plus_as_space);

/// Parses an application/x-www-form-urlencoded body (the first value of each name wins).
std::map<std::string, std::string> parse_form(std::string_view body);

/// "https://<Host header>" (or the emulator's own URL), as the client addressed us.
std::string base_url(const httplib::Request& request, const Emulator& emulator);

/// Makes the connection end without an answer, with a TCP reset.
void reset_connection(const httplib::Request& request);

/// Counts the request against the fault rules; sleeps for slow faults and, when
/// a status or reset fault applies, answers it (with the endpoint's error body
/// and Retry-After) and returns true.
bool apply_fault(Emulator& emulator, Endpoint endpoint, const httplib::Request& request,
                 httplib::Response& response, RequestRecord& record);

/// The error body an endpoint sends for `status` when nothing more specific is known.
void set_endpoint_error(Endpoint endpoint, int status, httplib::Response& response, RequestRecord& record);

/// Logs Ingestion error: {"error":{"code","message"}} with x-ms-error-code.
void set_ingestion_error(httplib::Response& response, int status, const std::string& code,
                         const std::string& message, RequestRecord& record);

/// Azure Resource Manager error: {"error":{"code","message"}} (no x-ms-error-code header).
void set_arm_error(httplib::Response& response, int status, const std::string& code,
                   const std::string& message, RequestRecord& record);

/// Calls `visit(fd, local_port, peer_port)` for every connected socket of this process (found
/// through /proc/self/fd) until it returns false.
void for_each_connected_socket(const std::function<bool(int fd, int local_port, int peer_port)>& visit);

}  // namespace wsemu
