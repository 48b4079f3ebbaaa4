// The metrics server: /metrics, /healthz and /readyz on its own threads, held and slow
// connections, limits.

#include "app/metrics_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <vector>

#include "http/curl_client.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;

TEST(MetricsServer, ServesMetricsHealthAndReadiness) {
  std::atomic<bool> ready{true};
  MetricsServer server(
      "127.0.0.1:0", [] { return std::string("up 1\n"); },
      [&] {
        return Readiness{ready.load(), ready ? "ready: fine" : "not ready: stuck"};
      });
  ASSERT_GT(server.port(), 0);
  auto http = http::make_curl_client({});
  auto get = [&](const std::string& path) {
    return http->send({"GET", server.url() + path, {}, "", std::chrono::seconds(5)});
  };
  http::Response metrics = get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body, "up 1\n");
  EXPECT_NE(metrics.header("content-type").find("text/plain; version=0.0.4"), std::string::npos)
      << metrics.header("content-type");
  EXPECT_EQ(get("/healthz").status, 200);
  http::Response r = get("/readyz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ready: fine\n");
  ready = false;
  r = get("/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body, "not ready: stuck\n");
  EXPECT_EQ(get("/other").status, 404);
  EXPECT_EQ(
      http->send({"POST", server.url() + "/metrics", {}, "x", std::chrono::seconds(5)}).status,
      404);
}

TEST(MetricsServer, AnAddressInUseIsAClearError) {
  MetricsServer first(
      "127.0.0.1:0", [] { return std::string(); }, [] { return Readiness{}; });
  try {
    MetricsServer second(
        "127.0.0.1:" + std::to_string(first.port()), [] { return std::string(); },
        [] { return Readiness{}; });
    FAIL() << "bound the same port twice";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot listen on 127.0.0.1:"), std::string::npos)
        << error.what();
  }
}

/// A connection to 127.0.0.1:port whose reads give up after 10 s; -1 when it cannot connect.
int connect_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval limit{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void send_text(int fd, const std::string& text) {
  ASSERT_EQ(send(fd, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
}

/// Everything the server sends until it closes (or the 10 s read limit passes).
std::string read_to_end(int fd) {
  std::string all;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) all.append(buffer, static_cast<size_t>(n));
  return all;
}

class Sockets {
 public:
  ~Sockets() {
    for (int fd : fds) close(fd);
  }
  std::vector<int> fds;
};

// Idle clients used to hold both of the listener's threads for their 5 s read timeout each: 30
// of them kept /healthz from answering for 75 s, longer than a liveness probe waits.
TEST(MetricsServer, AnswersProbesPromptlyWhileAHundredIdleConnectionsAreHeld) {
  MetricsServer server(
      "127.0.0.1:0", [] { return std::string("up 1\n"); },
      [] {
        return Readiness{true, "ready: fine"};
      });
  Sockets idle;
  for (int i = 0; i < 100; ++i) {
    int fd = connect_loopback(server.port());
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.fds.push_back(fd);
    // One in three sends the start of a request and never its end.
    if (i % 3 == 0) send_text(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Ag");
  }
  auto http = http::make_curl_client({});
  for (const char* path : {"/healthz", "/readyz", "/metrics"}) {
    auto started = std::chrono::steady_clock::now();
    http::Response response;
    ASSERT_NO_THROW(response =
                        http->send({"GET", server.url() + path, {}, "", std::chrono::seconds(2)}))
        << path << " did not answer within 2 s";
    EXPECT_EQ(response.status, 200) << path;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2)) << path;
  }
}

TEST(MetricsServer, ClosesAConnectionWhoseRequestHeadDoesNotArriveInTime) {
  HttpListenerLimits limits;
  limits.header_timeout = std::chrono::milliseconds(200);
  MetricsServer server(
      "127.0.0.1:0", [] { return std::string(); }, [] { return Readiness{}; }, limits);
  Sockets client;
  client.fds.push_back(connect_loopback(server.port()));
  ASSERT_GE(client.fds[0], 0);
  send_text(client.fds[0], "GET /metrics HTTP/1.1\r\n");
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(read_to_end(client.fds[0]), "") << "closed without an answer";
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, std::chrono::milliseconds(100)) << "closed by the header timeout, not at once";
  EXPECT_LT(waited, std::chrono::seconds(5));
}

TEST(MetricsServer, AConnectionBeyondTheLimitClosesTheOldestIdleOne) {
  HttpListenerLimits limits;
  limits.max_connections = 4;
  limits.header_timeout = std::chrono::seconds(60);
  MetricsServer server(
      "127.0.0.1:0", [] { return std::string(); }, [] { return Readiness{}; }, limits);
  Sockets idle;
  for (int i = 0; i < 4; ++i) {
    idle.fds.push_back(connect_loopback(server.port()));
    ASSERT_GE(idle.fds.back(), 0);
  }
  Sockets probe;
  probe.fds.push_back(connect_loopback(server.port()));
  ASSERT_GE(probe.fds[0], 0);
  send_text(probe.fds[0], "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string reply = read_to_end(probe.fds[0]);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("\r\n\r\nok\n"), std::string::npos) << reply;
  EXPECT_EQ(read_to_end(idle.fds[0]), "") << "the oldest idle connection was closed";
  // The others are still served.
  send_text(idle.fds[1], "GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_EQ(read_to_end(idle.fds[1]).rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
}

TEST(MetricsServer, RefusesARequestHeadLargerThanTheLimit) {
  MetricsServer server(
      "127.0.0.1:0", [] { return std::string(); }, [] { return Readiness{}; });
  Sockets client;
  client.fds.push_back(connect_loopback(server.port()));
  ASSERT_GE(client.fds[0], 0);
  send_text(client.fds[0], "GET /metrics HTTP/1.1\r\nX-Padding: " + std::string(10000, 'a'));
  EXPECT_EQ(read_to_end(client.fds[0]).rfind("HTTP/1.1 431 ", 0), 0u);
}

}  // namespace
}  // namespace gd2s
