#include <gtest/gtest.h>

#include "app/metrics_server.h"
#include "app/prometheus_text.h"

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

}  // namespace
}  // namespace gd2s
