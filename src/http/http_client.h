#pragma once
// The HTTP client every outbound connection uses, AWS and Azure alike: a small interface so
// tests can stand in for it, and one libcurl implementation (curl_client.h).

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/byte_stream.h"
#include "core/duration.h"

namespace gd2s::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// The value of the first header named `name` (case-insensitive), or empty.
std::string_view find_header(const Headers& headers, std::string_view name);

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  /// Overrides the client's total timeout for this request (e.g. SQS long polls); 0 = default.
  Duration timeout{0};
};

struct Response {
  long status = 0;
  Headers headers;
  std::string body;
  std::string_view header(std::string_view name) const { return find_header(headers, name); }
};

/// The request did not get a response: connection refused or reset, timeout, TLS failure, a
/// response over the size limit. The message names the host and the cause, never a header.
class HttpError : public std::runtime_error {
 public:
  enum class Kind { kConnect, kTimeout, kTls, kTooLarge, kOther };
  HttpError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

/// A response whose body is read as it arrives (S3 objects), never buffered whole.
/// read() throws TransportError when the connection fails mid-body.
class ResponseStream : public ByteStream {
 public:
  virtual long status() const = 0;
  virtual const Headers& headers() const = 0;
  std::string_view header(std::string_view name) const { return find_header(headers(), name); }
  /// Body bytes delivered so far (for resuming with a Range request).
  virtual uint64_t bytes_read() const = 0;
};

struct HttpOptions {
  std::string ca_file;     // extra trusted CAs (PEM), added to the system's
  bool verify_tls = true;  // off only by explicit choice (logged as a warning)
  std::string proxy;       // empty: HTTPS_PROXY / NO_PROXY from the environment
  bool use_proxy = true;   // false: always connect directly (Azure IMDS), ignoring both
  Duration connect_timeout = std::chrono::seconds(10);
  Duration timeout = std::chrono::seconds(60);  // whole request, for buffered requests
  /// A stream that moves fewer than 1 byte/s for this long is given up.
  Duration low_speed_time = std::chrono::seconds(30);
  size_t max_response_bytes = 64 * 1024 * 1024;  // buffered responses only
  std::string user_agent = "gd2sentinel";
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  /// Sends and reads the whole response. Throws HttpError. Safe from any thread.
  virtual Response send(const Request& request) = 0;
  /// Sends and returns once the status and headers have arrived. Throws HttpError.
  virtual std::unique_ptr<ResponseStream> open(const Request& request) = 0;
};

using HttpClientPtr = std::shared_ptr<HttpClient>;

}  // namespace gd2s::http
