#pragma once
// A cpp-httplib server on 127.0.0.1 and an ephemeral port, on its own thread: the stand-in for
// AWS and Azure endpoints in unit tests.

#include <httplib.h>

#include <chrono>
#include <string>
#include <thread>

namespace gd2s::test {

template <typename ServerType = httplib::Server>
class Loopback {
 public:
  template <typename... Args>
  explicit Loopback(Args&&... args) : server_(std::forward<Args>(args)...) {}
  ~Loopback() { stop(); }
  Loopback(const Loopback&) = delete;
  Loopback& operator=(const Loopback&) = delete;

  ServerType& server() { return server_; }
  void start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  std::string url(const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_);
  }

 private:
  ServerType server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace gd2s::test
