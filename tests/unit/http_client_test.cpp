// The libcurl client against loopback servers: requests and responses, limits, streaming,
// broken connections, timeouts, retries with backoff, and TLS with an added CA.

#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "http/curl_client.h"
#include "http/retry.h"
#include "support/loopback_server.h"
#include "support/test_support.h"

namespace gd2s::http {
namespace {

using namespace std::chrono_literals;

using test::Loopback;

TEST(CurlClient, SendsMethodHeadersAndBodyAndReadsTheResponse) {
  Loopback<> lo;
  lo.server().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Seen", req.get_header_value("X-Test"));
    res.status = 201;
    res.set_content(req.method + ":" + req.body, "text/plain");
  });
  lo.start();
  auto client = make_curl_client({});
  Response r = client->send({"POST", lo.url() + "/echo", {{"X-Test", "yes"}}, "payload", 0ms});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "POST:payload");
  EXPECT_EQ(r.header("x-seen"), "yes");
}

TEST(CurlClient, RefusesAResponseOverTheSizeLimit) {
  Loopback<> lo;
  lo.server().Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(2 * 1024 * 1024, 'x'), "text/plain");
  });
  lo.start();
  HttpOptions options;
  options.max_response_bytes = 1024 * 1024;
  auto client = make_curl_client(options);
  try {
    client->send({"GET", lo.url() + "/big", {}, "", 0ms});
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), HttpError::Kind::kTooLarge);
  }
}

TEST(CurlClient, StreamsALargeBodyToASlowReader) {
  constexpr size_t kSize = 24 * 1024 * 1024;
  Loopback<> lo;
  lo.server().Get("/object", [](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(kSize, "application/octet-stream",
                             [](size_t offset, size_t length, httplib::DataSink& sink) {
                               std::string chunk(std::min<size_t>(length, 64 * 1024), '\0');
                               for (size_t i = 0; i < chunk.size(); ++i)
                                 chunk[i] = static_cast<char>((offset + i) % 251);
                               sink.write(chunk.data(), chunk.size());
                               return true;
                             });
  });
  lo.start();
  auto client = make_curl_client({});
  auto stream = client->open({"GET", lo.url() + "/object", {}, "", 0ms});
  EXPECT_EQ(stream->status(), 200);
  EXPECT_EQ(stream->header("Content-Length"), std::to_string(kSize));
  char buf[7000];
  size_t total = 0;
  bool intact = true;
  for (size_t n; (n = stream->read(buf)) > 0;) {
    for (size_t i = 0; i < n; ++i) intact &= buf[i] == static_cast<char>((total + i) % 251);
    total += n;
    if (total % (4 * 1024 * 1024) < n) std::this_thread::sleep_for(20ms);  // a slow consumer
  }
  EXPECT_EQ(total, kSize);
  EXPECT_TRUE(intact);
  EXPECT_EQ(stream->bytes_read(), kSize);
}

// Every transfer counts against one shared connection cache. Held to libcurl's default size (that
// of one transfer's own handle, 4 or 5), six threads each reading objects and sending requests,
// as the S3 readers and the sink's senders do, closed a connection at nearly every finished
// transfer and opened a new one (a TLS handshake each, against Azure) for the next.
TEST(CurlClient, ReusesItsConnectionsWhenManyTransfersRunAtOnce) {
  constexpr size_t kThreads = 6;  // each holds a connection to each server: under its 8 threads
  constexpr size_t kBody = 64 * 1024;
  std::mutex mutex;
  std::set<int> client_ports;
  auto remember = [&](const httplib::Request& req) {
    std::lock_guard lock(mutex);
    client_ports.insert(req.remote_port);
  };
  Loopback<> objects;  // as S3
  objects.server().Get("/object", [&](const httplib::Request& req, httplib::Response& res) {
    remember(req);
    res.set_content(std::string(kBody, 'x'), "application/octet-stream");
  });
  Loopback<> rows;  // as the Logs Ingestion API
  rows.server().Post("/rows", [&](const httplib::Request& req, httplib::Response& res) {
    remember(req);
    res.status = 204;
  });
  for (auto* server : {&objects, &rows}) {
    server->server().set_keep_alive_max_count(1000);  // cpp-httplib's own limit is 5 requests
    server->start();
  }
  auto client = make_curl_client({});
  std::atomic<size_t> bytes{0};
  std::atomic<int> sent{0};
  {
    std::vector<std::jthread> threads;
    for (size_t t = 0; t < kThreads; ++t)
      threads.emplace_back([&] {
        char buf[16 * 1024];
        for (int i = 0; i < 20; ++i) {
          auto stream = client->open({"GET", objects.url() + "/object", {}, "", 0ms});
          for (size_t n; (n = stream->read(buf)) > 0;) bytes += n;
          stream.reset();
          if (client->send({"POST", rows.url() + "/rows", {}, "[]", 0ms}).status == 204) ++sent;
        }
      });
  }
  EXPECT_EQ(bytes.load(), kThreads * 20 * kBody);
  EXPECT_EQ(sent.load(), static_cast<int>(kThreads * 20));
  std::lock_guard lock(mutex);
  // No thread holds more than one connection to each server at a time.
  EXPECT_LE(client_ports.size(), 2 * kThreads)
      << "connections opened for " << kThreads * 40 << " transfers, " << kThreads
      << " at once to each of two servers";
}

TEST(CurlClient, AConnectionClosedMidBodyIsATransportError) {
  Loopback<> lo;
  lo.server().Get("/cut", [](const httplib::Request&, httplib::Response& res) {
    res.set_content_provider(1024 * 1024, "application/octet-stream",
                             [](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset >= 100 * 1024) return false;  // drop the connection
                               std::string chunk(16 * 1024, 'x');
                               sink.write(chunk.data(), chunk.size());
                               return true;
                             });
  });
  lo.start();
  auto client = make_curl_client({});
  auto stream = client->open({"GET", lo.url() + "/cut", {}, "", 0ms});
  char buf[4096];
  size_t total = 0;
  try {
    for (size_t n; (n = stream->read(buf)) > 0;) total += n;
    FAIL() << "expected TransportError after " << total << " bytes";
  } catch (const TransportError& e) {
    EXPECT_GE(total, 100u * 1024);
    EXPECT_NE(std::string(e.what()).find("broke off after"), std::string::npos) << e.what();
  }
}

TEST(CurlClient, NamesConnectionFailuresAndTimeouts) {
  int closed_port;
  {
    Loopback<> lo;
    lo.start();
    closed_port = std::stoi(lo.url().substr(lo.url().rfind(':') + 1));
  }
  auto client = make_curl_client({});
  try {
    client->send({"GET", "http://127.0.0.1:" + std::to_string(closed_port) + "/", {}, "", 0ms});
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), HttpError::Kind::kConnect);
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(closed_port)),
              std::string::npos);
  }
  Loopback<> slow;
  slow.server().Get("/slow", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(1500ms);
    res.set_content("late", "text/plain");
  });
  slow.start();
  try {
    client->send({"GET", slow.url() + "/slow", {}, "", 300ms});
    FAIL() << "expected a timeout";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), HttpError::Kind::kTimeout);
  }
}

TEST(Retry, RetriesRetryableStatusesThenGivesTheLastAnswer) {
  Loopback<> lo;
  std::atomic<int> calls{0};
  lo.server().Get("/flaky", [&](const httplib::Request&, httplib::Response& res) {
    res.status = ++calls <= 2 ? 503 : 200;
  });
  lo.start();
  auto client = make_curl_client({});
  Backoff fast{1ms, 5ms, 5};
  Response r = send_with_retries(
      *client,
      [&] {
        return Request{"GET", lo.url() + "/flaky", {}, "", 0ms};
      },
      fast);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(calls.load(), 3);
  calls = 0;
  Backoff two{1ms, 5ms, 2};
  EXPECT_EQ(send_with_retries(
                *client,
                [&] {
                  return Request{"GET", lo.url() + "/flaky", {}, "", 0ms};
                },
                two)
                .status,
            503);
  EXPECT_EQ(calls.load(), 2);
}

TEST(Retry, FullJitterStaysUnderTheGrowingCeiling) {
  std::mt19937_64 random(42);
  Backoff backoff{100ms, 2s, 0};
  for (int attempt = 0; attempt < 10; ++attempt) {
    Duration ceiling = std::min<Duration>(backoff.cap, backoff.base * (1 << attempt));
    for (int i = 0; i < 200; ++i) {
      Duration d = full_jitter(backoff, attempt, random);
      EXPECT_GE(d.count(), 0);
      EXPECT_LE(d, ceiling);
    }
  }
  EXPECT_TRUE(is_retryable_status(429));
  EXPECT_TRUE(is_retryable_status(503));
  EXPECT_FALSE(is_retryable_status(400));
  EXPECT_FALSE(is_retryable_status(403));
}

TEST(CurlClient, VerifiesTlsAndTrustsAnAddedCa) {
  test::TempDir dir;
  std::string cmd =
      "cd " + dir.path().string() +
      " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 "
      "-subj /CN=gd2s-test-ca >/dev/null 2>&1"
      " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
      "-subj /CN=127.0.0.1 >/dev/null 2>&1"
      " && printf 'subjectAltName=IP:127.0.0.1' > ext.cnf"
      " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
      "-out server.pem -days 1 -extfile ext.cnf >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make test certificates";
  Loopback<httplib::SSLServer> lo(dir.file("server.pem").c_str(), dir.file("server.key").c_str());
  lo.server().Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  lo.start();
  try {
    make_curl_client({})->send({"GET", lo.url("https") + "/", {}, "", 0ms});
    FAIL() << "an unknown CA must be refused";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), HttpError::Kind::kTls) << e.what();
  }
  HttpOptions trusted;
  trusted.ca_file = dir.file("ca.pem");
  auto client = make_curl_client(trusted);
  EXPECT_EQ(client->send({"GET", lo.url("https") + "/", {}, "", 0ms}).body, "ok");

  // A second server is a second connection: it verifies against the same, already loaded, CAs.
  Loopback<httplib::SSLServer> other(dir.file("server.pem").c_str(),
                                     dir.file("server.key").c_str());
  other.server().Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("other", "text/plain");
  });
  other.start();
  EXPECT_EQ(client->send({"GET", other.url("https") + "/", {}, "", 0ms}).body, "other");
  EXPECT_EQ(client->open({"GET", other.url("https") + "/", {}, "", 0ms})->status(), 200);

  HttpOptions later;
  later.ca_file = dir.file("later-ca.pem");
  auto waiting = make_curl_client(later);
  try {
    waiting->send({"GET", lo.url("https") + "/", {}, "", 0ms});
    FAIL() << "a ca_file that cannot be read must fail the connection";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.kind(), HttpError::Kind::kTls) << e.what();
  }
  test::write_file(later.ca_file, test::read_file(dir.file("ca.pem")));
  EXPECT_EQ(waiting->send({"GET", lo.url("https") + "/", {}, "", 0ms}).body, "ok")
      << "once the file is there, the next connection loads it";
}

TEST(CurlClient, GoesThroughTheConfiguredProxyAndHonoursNoProxy) {
  // A forward proxy sees absolute request targets; this one answers them itself.
  Loopback<> proxy;
  std::string proxied_target;
  proxy.server().Get(".*", [&](const httplib::Request& req, httplib::Response& res) {
    proxied_target = req.target;
    res.set_content("via proxy", "text/plain");
  });
  proxy.start();
  Loopback<> direct;
  direct.server().Get("/here", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("direct", "text/plain");
  });
  direct.start();

  HttpOptions options;
  options.proxy = proxy.url();
  EXPECT_EQ(make_curl_client(options)
                ->send({"GET", "http://findings.example.invalid/x", {}, "", 0ms})
                .body,
            "via proxy");
  EXPECT_EQ(proxied_target, "http://findings.example.invalid/x");

  // Without the option, the environment's proxy variables apply, NO_PROXY included.
  ::setenv("http_proxy", proxy.url().c_str(), 1);
  ::setenv("no_proxy", "127.0.0.1", 1);
  auto from_env = make_curl_client({});
  EXPECT_EQ(from_env->send({"GET", "http://findings.example.invalid/y", {}, "", 0ms}).body,
            "via proxy");
  EXPECT_EQ(from_env->send({"GET", direct.url() + "/here", {}, "", 0ms}).body, "direct");
  ::unsetenv("http_proxy");
  ::unsetenv("no_proxy");
}

TEST(CurlClient, WarnsWhenTlsVerificationIsTurnedOff) {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  HttpOptions options;
  options.verify_tls = false;
  make_curl_client(options);
  spdlog::set_default_logger(previous);
  EXPECT_NE(log.str().find("TLS certificate verification is turned off"), std::string::npos)
      << log.str();
}

}  // namespace
}  // namespace gd2s::http
