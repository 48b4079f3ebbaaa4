#pragma once
// A small HTTP/1.1 listener for operations endpoints: GET requests without a body, one per
// connection, answered from a handler. One thread serves every connection through poll(2), so
// a client that sends nothing (or half a request) holds a slot, never a thread: whatever idle
// clients do, a probe that sends its request is answered at once.
//
// Limits, each a defence against clients that connect and then stall:
// - a request's head (request line and headers) must arrive within `header_timeout` of the
//   connection, and fit in `max_header_bytes`; else the connection is closed (431 when too big);
// - the reply must be taken within `write_timeout`; it carries `Connection: close`;
// - at most `max_connections` at once: a new connection beyond them closes the oldest one that
//   has not sent its whole request yet (or, when every one is being answered, the oldest).

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace gd2s {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
};

struct HttpListenerLimits {
  std::chrono::milliseconds header_timeout{2000};
  std::chrono::milliseconds write_timeout{5000};
  size_t max_connections = 64;
  size_t max_header_bytes = 8192;
};

class HttpListener {
 public:
  /// Answers one request: its method and its target's path (the query string cut off).
  using Handler = std::function<HttpReply(std::string_view method, std::string_view path)>;

  /// Binds `host`:`port` (port 0 picks a free one) and serves on its own thread. Throws
  /// std::runtime_error when the address cannot be bound.
  HttpListener(const std::string& host, int port, Handler handler, HttpListenerLimits limits);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  /// The bound port.
  int port() const { return port_; }

 private:
  void serve();

  Handler handler_;
  HttpListenerLimits limits_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;  // an eventfd: written once to stop the thread
  int port_ = 0;
  std::thread thread_;
};

}  // namespace gd2s
