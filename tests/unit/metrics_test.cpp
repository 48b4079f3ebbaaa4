#include <gtest/gtest.h>

#include <atomic>

#include "app/metrics_server.h"
#include "app/prometheus_text.h"
#include "http/curl_client.h"

namespace gd2s {
namespace {

TEST(PrometheusText, WritesHelpAndTypeOnceThenEscapedSamples) {
  PrometheusText text;
  text.family("x_total", MetricType::kCounter, "Things\\counted\nhere");
  text.sample({{"a", "plain"}}, 3);
  text.sample({{"a", "q\"b\\s\nn"}, {"b", ""}}, 0.25);
  text.family("g", MetricType::kGauge, "A gauge");
  text.sample({}, 1e20);
  EXPECT_EQ(text.text(),
            "# HELP x_total Things\\\\counted\\nhere\n"
            "# TYPE x_total counter\n"
            "x_total{a=\"plain\"} 3\n"
            "x_total{a=\"q\\\"b\\\\s\\nn\",b=\"\"} 0.25\n"
            "# HELP g A gauge\n"
            "# TYPE g gauge\n"
            "g 1e+20\n");
}

TEST(PrometheusText, ASampleNeedsItsFamily) {
  PrometheusText text;
  EXPECT_THROW(text.sample({}, 1), std::logic_error);
}

TEST(ListenAddress, AcceptsHostPortAndBracketedV6Only) {
  std::string host;
  int port = -1;
  EXPECT_TRUE(parse_listen_address("127.0.0.1:9464", host, port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9464);
  EXPECT_TRUE(parse_listen_address("[::1]:0", host, port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
  EXPECT_TRUE(parse_listen_address("localhost:80", host, port));
  for (const char* bad :
       {"9464", ":9464", "127.0.0.1:", "::1:9464", "[::1:9464", "h:65536", "h:-1", "h:12x", ""})
    EXPECT_FALSE(parse_listen_address(bad, host, port)) << bad;
}

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

}  // namespace
}  // namespace gd2s
