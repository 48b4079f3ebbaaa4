#include "http_util.h"

#include <functional>

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include <openssl/ssl.h>

#include "entra_errors.h"
#include "json_util.h"
#include "time_util.h"

namespace wsemu {

RequestScope::RequestScope(Emulator& emulator, Endpoint endpoint, const httplib::Request& request,
                           httplib::Response& response)
    : emulator_(emulator), response_(response), start_(std::chrono::steady_clock::now()) {
  record_.endpoint = std::string(to_string(endpoint));
  record_.method = request.method;
  record_.path = request.path;
  record_.client_request_id = request.get_header_value("x-ms-client-request-id");
  record_.request_id = new_guid();
  record_.request_bytes = request.body.size();
  record_.status = -1;  // until the handler answers
  response.set_header("x-ms-request-id", record_.request_id);
}

RequestScope::~RequestScope() {
  if (record_.status == -1) record_.status = response_.status;
  record_.time = format_iso8601(now_epoch_seconds());
  record_.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  if (emulator_.verbose) {
    std::fprintf(stderr, "%s %s %s -> %d %s%s\n", record_.time.c_str(), record_.method.c_str(),
                 record_.path.c_str(), record_.status, record_.error_code.c_str(),
                 record_.fault.empty() ? "" : (" [fault " + record_.fault + "]").c_str());
  }
  emulator_.requests.add(std::move(record_));
}

void set_json(httplib::Response& response, int status, const std::string& body) {
  response.status = status;
  response.set_content(body, "application/json; charset=utf-8");
}

std::string url_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else if (text[i] == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_form(std::string_view body) {
  std::map<std::string, std::string> out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string name = url_decode(pair.substr(0, eq), true);
    const std::string value = eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1), true);
    out.emplace(name, value);
  }
  return out;
}

std::string base_url(const httplib::Request& request, const Emulator& emulator) {
  const std::string host = request.get_header_value("Host");
  if (host.empty()) return request.ssl != nullptr ? emulator.https_url : emulator.http_url;
  return (request.ssl != nullptr ? "https://" : "http://") + host;
}

void for_each_connected_socket(const std::function<bool(int fd, int local_port, int peer_port)>& visit) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  auto port_of = [](const sockaddr_storage& a) {
    if (a.ss_family == AF_INET) return static_cast<int>(ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port));
    if (a.ss_family == AF_INET6) return static_cast<int>(ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port));
    return -1;
  };
  while (dirent* entry = readdir(dir)) {
    const int fd = std::atoi(entry->d_name);
    if (fd <= 2) continue;
    sockaddr_storage local{};
    socklen_t local_size = sizeof local;
    sockaddr_storage peer{};
    socklen_t peer_size = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) != 0) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0) continue;  // listening or unconnected
    if (!visit(fd, port_of(local), port_of(peer))) break;
  }
  closedir(dir);
}

namespace {

int socket_of_plain_connection(const httplib::Request& request) {
  // No SSL object to ask: find our socket whose ports are the client connection's.
  int found = -1;
  for_each_connected_socket([&](int fd, int local_port, int peer_port) {
    if (peer_port != request.remote_port || local_port != request.local_port) return true;
    found = fd;
    return false;
  });
  return found;
}

}  // namespace

void reset_connection(const httplib::Request& request) {
  const int fd = request.ssl != nullptr ? SSL_get_fd(request.ssl) : socket_of_plain_connection(request);
  if (fd < 0) return;
  linger hard{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  ::shutdown(fd, SHUT_RDWR);
}

namespace {

/// {"error":{"code","message"}}, the error shape of the Logs Ingestion API and of ARM.
std::string code_message_error(const std::string& code, const std::string& message) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_string(w, "error");
  w.StartObject();
  write_member(w, "code", code);
  write_member(w, "message", message);
  w.EndObject();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace

void set_ingestion_error(httplib::Response& response, int status, const std::string& code,
                         const std::string& message, RequestRecord& record) {
  response.set_header("x-ms-error-code", code);
  set_json(response, status, code_message_error(code, message));
  record.error_code = code;
}

void set_arm_error(httplib::Response& response, int status, const std::string& code,
                   const std::string& message, RequestRecord& record) {
  set_json(response, status, code_message_error(code, message));
  record.error_code = code;
}

namespace {

void set_flat_error(httplib::Response& response, int status, const char* error_name, const char* message_name,
                    const std::string& code, const std::string& message, RequestRecord& record) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_member(w, error_name, code);
  write_member(w, message_name, message);
  w.EndObject();
  set_json(response, status, std::string(buffer.GetString(), buffer.GetSize()));
  record.error_code = code;
}

}  // namespace

void set_endpoint_error(Endpoint endpoint, int status, httplib::Response& response, RequestRecord& record) {
  switch (endpoint) {
    case Endpoint::LogsIngestion: {
      struct Known {
        int status;
        const char* code;
        const char* message;
      };
      static constexpr Known kKnown[] = {
          {400, "BadRequest", "The request is not valid."},
          {401, "InvalidAuthenticationToken", "The authentication token is not valid."},
          {403, "OperationFailed",
           "The authentication token provided does not have access to ingest data for the data collection rule."},
          {404, "NotFound", "The resource was not found."},
          {408, "RequestTimeout", "The request timed out."},
          {413, "ContentLengthLimitExceeded", "Maximum allowed content length: 1048576 bytes (1 MB)."},
          {429, "TooManyRequests",
           "The request was throttled: the data collection rule's request or data rate was exceeded. Retry after "
           "the delay in the Retry-After header."},
          {500, "InternalServerError", "The service encountered an internal error. Please retry the request."},
          {502, "BadGateway", "The service is temporarily unavailable. Please retry the request."},
          {503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry the request."},
          {504, "GatewayTimeout", "The service did not answer in time. Please retry the request."},
      };
      for (const auto& k : kKnown) {
        if (k.status == status) return set_ingestion_error(response, status, k.code, k.message, record);
      }
      return set_ingestion_error(response, status, "Error", "Injected error.", record);
    }
    case Endpoint::Token: {
      EntraError error{status, "temporarily_unavailable", 90006, "The service is temporarily unavailable."};
      if (status == 429) error = {status, "temporarily_unavailable", 90055, "There are too many incoming requests."};
      if (status == 500) error = {status, "server_error", 50000, "There was an error issuing a token."};
      if (status == 400) error = {status, "invalid_request", 90023, "The authentication service request is not valid."};
      if (status == 401) error = {status, "invalid_client", 7000215, "Invalid client secret provided."};
      set_json(response, status, entra_error_json(error, now_epoch_seconds(), ""));
      record.error_code = "AADSTS" + std::to_string(error.code);
      return;
    }
    case Endpoint::Imds: {
      const char* code = status == 429   ? "too_many_requests"
                         : status == 404 ? "not_found"
                         : status == 410 ? "gone"
                         : status >= 500 ? "unknown_error"
                                         : "invalid_request";
      const char* message = status == 429   ? "Too many requests, IMDS is throttling this caller."
                            : status == 410 ? "IMDS is updating; it will be available within 70 seconds."
                            : status == 404 ? "IMDS is updating."
                                            : "An unexpected error occurred.";
      return set_flat_error(response, status, "error", "error_description", code, message, record);
    }
    case Endpoint::Arm: {
      struct Known {
        int status;
        const char* code;
        const char* message;
      };
      static constexpr Known kKnown[] = {
          {400, "BadRequest", "The request is not valid."},
          {401, "InvalidAuthenticationToken", "The access token is invalid."},
          {403, "AuthorizationFailed",
           "The client does not have authorization to perform action "
           "'Microsoft.Insights/dataCollectionRules/read' over scope or the scope is invalid. "
           "If access was recently granted, please refresh your credentials."},
          {404, "ResourceNotFound",
           "The Resource was not found. For more details please go to "
           "https://aka.ms/ARMResourceNotFoundFix"},
          {429, "SubscriptionRequestsThrottled",
           "Number of 'read' requests for subscription exceeded the limit. "
           "Please try again after the delay in the Retry-After header."},
          {500, "InternalServerError", "Encountered internal server error."},
          {502, "BadGateway",
           "The gateway received an invalid response from 'Microsoft.Insights'."},
          {503, "ServiceUnavailable",
           "The service is temporarily unavailable. Please retry the request."},
          {504, "GatewayTimeout",
           "The gateway did not receive a response from 'Microsoft.Insights' within the specified "
           "time period."},
      };
      for (const auto& k : kKnown) {
        if (k.status == status) return set_arm_error(response, status, k.code, k.message, record);
      }
      return set_arm_error(response, status, "Error", "Injected error.", record);
    }
    case Endpoint::DataCollector: {
      if (status == 404) {
        response.status = 404;
        record.error_code.clear();
        return;
      }
      const char* code = status == 403   ? "InvalidAuthorization"
                         : status == 429 ? "TooManyRequests"
                         : status == 500 ? "UnspecifiedError"
                         : status == 503 ? "ServiceUnavailable"
                                         : "InvalidDataFormat";
      const char* message =
          status == 403   ? "The service failed to authenticate the request. Verify that the workspace ID and connection key are valid."
          : status == 429 ? "The service is experiencing a high volume of data from your account. Please retry the request later."
          : status == 500 ? "The service encountered an internal error. Please retry the request."
          : status == 503 ? "The service currently is unavailable to receive requests. Please retry your request."
                          : "Invalid JSON was submitted.";
      return set_flat_error(response, status, "Error", "Message", code, message, record);
    }
  }
}

bool apply_fault(Emulator& emulator, Endpoint endpoint, const httplib::Request& request,
                 httplib::Response& response, RequestRecord& record) {
  const FaultDecision decision = emulator.faults.decide(endpoint, now_epoch_seconds());
  if (decision.label.empty()) return false;
  record.fault = decision.label;
  if (decision.delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(decision.delay_ms));
  if (!decision.kind) return false;
  if (*decision.kind == FaultKind::Reset) {
    reset_connection(request);
    response.status = 500;
    record.status = 0;
    record.error_code = "connection reset";
    return true;
  }
  set_endpoint_error(endpoint, decision.status, response, record);
  if (decision.retry_after) response.set_header("Retry-After", *decision.retry_after);
  return true;
}

}  // namespace wsemu
