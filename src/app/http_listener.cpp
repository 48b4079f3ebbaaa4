#include "app/http_listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <vector>

namespace gd2s {
namespace {

using Clock = std::chrono::steady_clock;

// How long a connection is read, after its reply, for what the client still sends: closing a
// socket with unread bytes resets it, and the client may then lose the reply.
constexpr std::chrono::milliseconds kLinger{500};

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

std::string render_reply(const HttpReply& reply) {
  std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " " +
                     reason_phrase(reply.status) + "\r\nContent-Type: " + reply.content_type +
                     "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                     "\r\nConnection: close\r\n\r\n";
  return head + reply.body;
}

struct Connection {
  enum class Phase { kReading, kWriting, kDraining };
  int fd = -1;
  Phase phase = Phase::kReading;
  Clock::time_point deadline;
  std::string data;  // the request head while reading, the reply while writing
  size_t sent = 0;
  bool closed = false;
};

/// The end of a request's head, or npos.
size_t head_end(const std::string& in) {
  size_t crlf = in.find("\r\n\r\n");
  size_t lf = in.find("\n\n");
  return std::min(crlf == std::string::npos ? crlf : crlf + 4,
                  lf == std::string::npos ? lf : lf + 2);
}

class ConnectionLoop {
 public:
  ConnectionLoop(int listen_fd, int wake_fd, const HttpListener::Handler& handler,
                 const HttpListenerLimits& limits)
      : listen_fd_(listen_fd), wake_fd_(wake_fd), handler_(handler), limits_(limits) {}
  ~ConnectionLoop() {
    for (Connection& c : connections_) close_connection(c);
  }
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

  void run() {
    std::vector<pollfd> fds;
    while (true) {
      Clock::time_point now = Clock::now();
      bool accepting = now >= accept_paused_until_;
      fds.clear();
      fds.push_back({wake_fd_, POLLIN, 0});
      fds.push_back({accepting ? listen_fd_ : -1, POLLIN, 0});
      Clock::time_point wake_at = accepting ? now + std::chrono::seconds(60) : accept_paused_until_;
      for (const Connection& c : connections_) {
        short events = c.phase == Connection::Phase::kWriting ? POLLOUT : POLLIN;
        fds.push_back({c.fd, events, 0});
        wake_at = std::min(wake_at, c.deadline);
      }
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake_at - now).count();
      int ready = poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(wait, 0)));
      if (ready < 0 && errno != EINTR) {
        spdlog::error("metrics: poll failed: {}; the listener stops", std::strerror(errno));
        return;
      }
      if (ready > 0 && fds[0].revents != 0) return;  // stop
      now = Clock::now();
      for (size_t i = 0; i < connections_.size(); ++i) {
        Connection& c = connections_[i];
        if (ready > 0 && fds[i + 2].revents != 0) on_ready(c, now);
        if (!c.closed && now >= c.deadline) close_connection(c);
      }
      std::erase_if(connections_, [](const Connection& c) { return c.closed; });
      if (ready > 0 && fds[1].revents != 0) accept_all(now);
    }
  }

 private:
  void on_ready(Connection& c, Clock::time_point now) {
    switch (c.phase) {
      case Connection::Phase::kReading:
        return read_head(c, now);
      case Connection::Phase::kWriting:
        return write_reply(c, now);
      case Connection::Phase::kDraining:
        return drain(c);
    }
  }

  void read_head(Connection& c, Clock::time_point now) {
    std::array<char, 4096> buffer;
    while (true) {
      ssize_t n = recv(c.fd, buffer.data(), buffer.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) return close_connection(c);  // gone before its request was complete
      c.data.append(buffer.data(), static_cast<size_t>(n));
      size_t end = head_end(c.data);
      if (end != std::string::npos && end <= limits_.max_header_bytes)
        return start_reply(c, answer(c.data), now);
      if (c.data.size() > limits_.max_header_bytes)
        return start_reply(c, HttpReply{431, "text/plain", "request head too large\n"}, now);
    }
  }

  HttpReply answer(const std::string& head) const {
    size_t line_end = head.find_first_of("\r\n");
    std::string_view line(head.data(), line_end);
    size_t first = line.find(' ');
    size_t last = line.rfind(' ');
    if (first == std::string_view::npos || last == first ||
        !line.substr(last + 1).starts_with("HTTP/1."))
      return HttpReply{400, "text/plain", "bad request line\n"};
    std::string_view method = line.substr(0, first);
    std::string_view target = line.substr(first + 1, last - first - 1);
    std::string_view path = target.substr(0, target.find('?'));
    try {
      return handler_(method, path);
    } catch (const std::exception& error) {
      spdlog::error("metrics: {} {}: {}", method, path, error.what());
      return HttpReply{500, "text/plain", "internal error\n"};
    }
  }

  void start_reply(Connection& c, const HttpReply& reply, Clock::time_point now) {
    c.data = render_reply(reply);
    c.sent = 0;
    c.phase = Connection::Phase::kWriting;
    c.deadline = now + limits_.write_timeout;
    write_reply(c, now);
  }

  void write_reply(Connection& c, Clock::time_point now) {
    while (c.sent < c.data.size()) {
      ssize_t n = send(c.fd, c.data.data() + c.sent, c.data.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n < 0) return close_connection(c);
      c.sent += static_cast<size_t>(n);
    }
    shutdown(c.fd, SHUT_WR);
    c.data.clear();
    c.phase = Connection::Phase::kDraining;
    c.deadline = std::min(c.deadline, now + kLinger);
  }

  void drain(Connection& c) {
    std::array<char, 4096> buffer;
    while (true) {
      ssize_t n = recv(c.fd, buffer.data(), buffer.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) return close_connection(c);  // the client closed too: done
    }
  }

  void accept_all(Clock::time_point now) {
    for (size_t i = 0; i < limits_.max_connections; ++i) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        // Out of descriptors or memory: let the connections we hold finish, then try again.
        spdlog::warn("metrics: cannot accept a connection: {}; trying again in 100 ms",
                     std::strerror(errno));
        accept_paused_until_ = now + std::chrono::milliseconds(100);
        return;
      }
      if (connections_.size() >= limits_.max_connections) make_room();
      connections_.push_back(
          Connection{fd, Connection::Phase::kReading, now + limits_.header_timeout, {}, 0, false});
    }
  }

  /// Closes the oldest connection still sending its request, else the oldest of all.
  void make_room() {
    auto victim = std::find_if(connections_.begin(), connections_.end(), [](const Connection& c) {
      return c.phase != Connection::Phase::kWriting;
    });
    if (victim == connections_.end()) victim = connections_.begin();
    spdlog::debug("metrics: {} connections open, the limit: closing the oldest idle one",
                  connections_.size());
    close_connection(*victim);
    connections_.erase(victim);
  }

  static void close_connection(Connection& c) {
    if (c.closed) return;
    close(c.fd);
    c.closed = true;
  }

  int listen_fd_;
  int wake_fd_;
  const HttpListener::Handler& handler_;
  const HttpListenerLimits& limits_;
  std::vector<Connection> connections_;  // in the order they were accepted: oldest first
  Clock::time_point accept_paused_until_{};
};

int bind_listener(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (getaddrinfo(host.c_str(), service.c_str(), &hints, &found) != 0) return -1;
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    // SO_REUSEADDR only: SO_REUSEPORT would let a second process share the port.
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) return fd;
    close(fd);
  }
  return -1;
}

int bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return -1;
  if (address.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

}  // namespace

HttpListener::HttpListener(const std::string& host, int port, Handler handler,
                           HttpListenerLimits limits)
    : handler_(std::move(handler)), limits_(limits) {
  limits_.max_connections = std::max<size_t>(limits_.max_connections, 1);
  listen_fd_ = bind_listener(host, port);
  if (listen_fd_ >= 0) port_ = bound_port(listen_fd_);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (listen_fd_ < 0 || port_ <= 0 || wake_fd_ < 0) {
    if (listen_fd_ >= 0) close(listen_fd_);
    if (wake_fd_ >= 0) close(wake_fd_);
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port));
  }
  thread_ = std::thread([this] { serve(); });
}

HttpListener::~HttpListener() {
  uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof(one)) != sizeof(one))
    spdlog::error("metrics: cannot stop the listener: {}", std::strerror(errno));
  thread_.join();
  close(listen_fd_);
  close(wake_fd_);
}

void HttpListener::serve() {
  ConnectionLoop loop(listen_fd_, wake_fd_, handler_, limits_);
  loop.run();
}

}  // namespace gd2s
