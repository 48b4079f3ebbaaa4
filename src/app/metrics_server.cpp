#include "app/metrics_server.h"

#include <spdlog/spdlog.h>

#include <charconv>
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

MetricsServer::MetricsServer(const std::string& listen, RenderFn render, ReadyFn ready,
                             HttpListenerLimits limits) {
  std::string host;
  int port = 0;
  if (!parse_listen_address(listen, host, port))
    throw std::runtime_error("metrics.listen \"" + listen + "\" is not host:port");
  auto answer = [render = std::move(render), ready = std::move(ready)](
                    std::string_view method, std::string_view path) -> HttpReply {
    if (method != "GET") return HttpReply{404, "text/plain", "not found\n"};
    if (path == "/metrics") return HttpReply{200, kPrometheusContentType, render()};
    if (path == "/healthz") return HttpReply{200, "text/plain", "ok\n"};
    if (path == "/readyz") {
      Readiness r = ready();
      return HttpReply{r.ready ? 200 : 503, "text/plain", r.reason + "\n"};
    }
    return HttpReply{404, "text/plain", "not found\n"};
  };
  try {
    listener_ = std::make_unique<HttpListener>(host, port, std::move(answer), limits);
  } catch (const std::runtime_error&) {
    throw std::runtime_error("metrics.listen: cannot listen on " + listen +
                             " (address in use, or not an address of this host)");
  }
  port_ = listener_->port();
  url_ = "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port_);
  spdlog::info("metrics: serving {}/metrics, /healthz and /readyz", url_);
}

MetricsServer::~MetricsServer() = default;

}  // namespace gd2s
