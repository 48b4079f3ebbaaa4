#pragma once
// The HTTP listener for operations ([metrics] listen): Prometheus text at /metrics, liveness at
// /healthz and readiness at /readyz. Plain HTTP, meant for a loopback or cluster-internal
// address; it serves nothing else and reads no request body. Idle or slow clients cannot keep
// the probes from being answered: see http_listener.h for the limits.

#include <functional>
#include <memory>
#include <string>

#include "app/http_listener.h"
#include "core/metrics.h"

namespace gd2s {

class MetricsServer {
 public:
  using RenderFn = std::function<std::string()>;
  using ReadyFn = std::function<Readiness()>;

  /// Binds `listen` ("host:port", "[v6]:port"; port 0 picks a free one) and serves on its own
  /// thread. Throws std::runtime_error when the address cannot be bound.
  MetricsServer(const std::string& listen, RenderFn render, ReadyFn ready,
                HttpListenerLimits limits = {});
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  /// The bound port (useful with port 0).
  int port() const { return port_; }
  /// http://host:port
  const std::string& url() const { return url_; }

 private:
  std::unique_ptr<HttpListener> listener_;
  int port_ = 0;
  std::string url_;
};

/// Splits "host:port" / "[v6]:port"; false when malformed.
bool parse_listen_address(const std::string& listen, std::string& host, int& port);

}  // namespace gd2s
