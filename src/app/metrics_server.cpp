#include "app/metrics_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <stdexcept>

#include "app/prometheus_text.h"

namespace gd2s {

bool parse_listen_address(const std::string& listen, std::string& host, int& port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) return false;
  host = listen.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return false;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return false;  // an IPv6 address needs brackets
  }
  std::string_view digits(listen.data() + colon + 1, listen.size() - colon - 1);
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  return error == std::errc() && end == digits.data() + digits.size() && port >= 0 && port <= 65535;
}

MetricsServer::MetricsServer(const std::string& listen, RenderFn render, ReadyFn ready)
    : server_(std::make_unique<httplib::Server>()) {
  std::string host;
  int port = 0;
  if (!parse_listen_address(listen, host, port))
    throw std::runtime_error("metrics.listen \"" + listen + "\" is not host:port");
  // A scrape is small and quick: two threads are plenty, and a slow client cannot hold more.
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server_->set_read_timeout(5);
  server_->set_write_timeout(5);
  server_->set_payload_max_length(4096);
  // httplib's default also sets SO_REUSEPORT, which would let a second process share the port.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  server_->Get("/metrics", [render](const httplib::Request&, httplib::Response& response) {
    response.set_content(render(), kPrometheusContentType);
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok\n", "text/plain");
  });
  server_->Get("/readyz", [ready](const httplib::Request&, httplib::Response& response) {
    Readiness r = ready();
    response.status = r.ready ? 200 : 503;
    response.set_content(r.reason + "\n", "text/plain");
  });

  port_ =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (port_ <= 0)
    throw std::runtime_error("metrics.listen: cannot listen on " + listen +
                             " (address in use, or not an address of this host)");
  url_ = "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port_);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is ignored until the server runs: wait for it, so the destructor cannot miss it.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  spdlog::info("metrics: serving {}/metrics, /healthz and /readyz", url_);
}

MetricsServer::~MetricsServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gd2s
