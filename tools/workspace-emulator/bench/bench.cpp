// wsemu_bench: measures what the emulator accepts — N clients, each on its own
// keep-alive HTTPS connection, POSTing the same gzip-compressed batch of
// native AWSGuardDuty rows (just under 1 MiB uncompressed) to the Logs
// Ingestion endpoint for a fixed time. Prints one JSON line of results.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <httplib.h>
#include <rapidjson/document.h>

#include "base64.h"
#include "body.h"
#include "crypto.h"
#include "http_util.h"
#include "json_util.h"

namespace {

struct Target {
  std::string host;
  int port = 0;
};

Target parse_url(const std::string& url) {
  const auto scheme = url.find("://");
  const std::string rest = url.substr(scheme + 3);
  const auto colon = rest.rfind(':');
  return {rest.substr(0, colon), std::stoi(rest.substr(colon + 1))};
}

std::unique_ptr<httplib::SSLClient> client_for(const Target& target, const std::string& ca) {
  auto client = std::make_unique<httplib::SSLClient>(target.host, target.port);
  client->set_ca_cert_path(ca.c_str());
  client->enable_server_certificate_verification(true);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_read_timeout(120, 0);
  client->set_write_timeout(120, 0);
  return client;
}

/// One GuardDuty-like native row; `i` varies ids so gzip sees realistic text.
std::string row(std::mt19937_64& random, std::size_t i) {
  const std::string id = wsemu::hex_encode(std::string(reinterpret_cast<const char*>(&i), sizeof i)) +
                         std::to_string(random() % 1000000007);
  const std::string instance = "i-" + std::to_string(random() % 100000000000ULL);
  const std::string ip = std::to_string(random() % 223 + 1) + "." + std::to_string(random() % 256) + "." +
                         std::to_string(random() % 256) + "." + std::to_string(random() % 256);
  return R"({"TimeGenerated":"2026-03-06T01:19:48.601Z","TimeCreated":"2026-03-05T22:04:10.000Z","AccountId":"123456789012",)"
         R"("ActivityType":"Recon:EC2/PortProbeUnprotectedPort","Arn":"arn:aws:guardduty:eu-west-1:123456789012:detector/)"
         R"(6ab6e6ee780ed494f3b7ca56acdc74df/finding/)" + id +
         R"(","Description":"EC2 instance has an unprotected port which is being probed by a known malicious host.",)"
         R"("Id":")" + id + R"(","Partition":"aws","Region":"eu-west-1","ResourceDetails":{"resourceType":"Instance",)"
         R"("instanceDetails":{"instanceId":")" + instance + R"(","instanceType":"t3.micro","availabilityZone":"eu-west-1a",)"
         R"("tags":[{"key":"Name","value":"web-)" + std::to_string(i % 97) + R"("}],"networkInterfaces":[{"privateIpAddress":"10.0.)" +
         std::to_string(i % 250) + "." + std::to_string(random() % 250) + R"("}]}},"SchemaVersion":"2.0","ServiceDetails":)"
         R"({"serviceName":"guardduty","count":)" + std::to_string(random() % 5000) +
         R"(,"archived":false,"action":{"actionType":"PORT_PROBE","portProbeAction":{"blocked":false,"portProbeDetails":)"
         R"([{"localPortDetails":{"port":22,"portName":"SSH"},"remoteIpDetails":{"ipAddressV4":")" + ip +
         R"(","country":{"countryName":"Example"}}}]}}},"Severity":5,"Title":"Unprotected port on EC2 instance )" + instance +
         R"( is being probed."})";
}

std::pair<std::string, std::size_t> make_batch(std::size_t max_bytes) {
  std::mt19937_64 random(42);
  std::string body = "[";
  std::size_t rows = 0;
  while (true) {
    const std::string next = row(random, rows);
    if (body.size() + next.size() + 2 > max_bytes) break;
    body += (rows ? "," : "") + next;
    ++rows;
  }
  body += "]";
  return {body, rows};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wsemu_bench: Logs Ingestion throughput of the workspace emulator"};
  std::string url, ca, tenant, client_id, secret, dcr, stream = "Custom-GuardDutyFinding", admin_url;
  int clients = 4;
  double seconds = 10;
  std::size_t batch_bytes = 1048576;
  app.add_option("--url", url, "The emulator's HTTPS URL")->required();
  app.add_option("--ca", ca, "The emulator's CA certificate (PEM)")->required();
  app.add_option("--tenant", tenant, "Tenant id")->required();
  app.add_option("--client-id", client_id, "Application (client) id")->required();
  app.add_option("--secret", secret, "Client secret")->required();
  app.add_option("--dcr", dcr, "DCR immutable id")->required();
  app.add_option("--stream", stream, "Stream name");
  app.add_option("--clients", clients, "Concurrent clients (connections)");
  app.add_option("--seconds", seconds, "Duration of the measurement");
  app.add_option("--batch-bytes", batch_bytes, "Uncompressed size limit of a batch");
  app.add_option("--admin-url", admin_url, "The emulator's plain-HTTP URL: clear the tables afterwards");
  CLI11_PARSE(app, argc, argv);

  const Target target = parse_url(url);
  std::string token;
  {
    auto client = client_for(target, ca);
    const std::string form = "grant_type=client_credentials&client_id=" + client_id + "&client_secret=" + secret +
                             "&scope=https%3A%2F%2Fmonitor.azure.com%2F%2F.default";
    auto response = client->Post("/" + tenant + "/oauth2/v2.0/token", form, "application/x-www-form-urlencoded");
    if (!response || response->status != 200) {
      std::fprintf(stderr, "wsemu_bench: no token (%s)\n", response ? response->body.c_str() : httplib::to_string(response.error()).c_str());
      return 1;
    }
    rapidjson::Document doc;
    doc.Parse(response->body.c_str());
    token = doc["access_token"].GetString();
  }
  const auto [batch, rows_per_batch] = make_batch(batch_bytes);
  const std::string packed = wsemu::gzip_compress(batch);
  const std::string path = "/dataCollectionRules/" + dcr + "/streams/" + stream + "?api-version=2023-01-01";

  std::atomic<std::uint64_t> ok{0}, failed{0};
  std::mutex latency_mutex;
  std::vector<double> latencies;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      auto client = client_for(target, ca);
      const httplib::Headers headers = {{"Authorization", "Bearer " + token}, {"Content-Encoding", "gzip"},
                                        {"x-ms-client-request-id", wsemu::new_guid()}};
      std::vector<double> mine;
      while (std::chrono::steady_clock::now() < deadline) {
        const auto t0 = std::chrono::steady_clock::now();
        auto response = client->Post(path, headers, packed, "application/json");
        mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (response && response->status == 204) {
          ++ok;
        } else {
          if (failed++ == 0) {
            std::fprintf(stderr, "wsemu_bench: %s\n", response ? (std::to_string(response->status) + " " + response->body).c_str()
                                                              : httplib::to_string(response.error()).c_str());
          }
        }
      }
      std::lock_guard lock(latency_mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto percentile = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(p * static_cast<double>(latencies.size())))];
  };
  const double requests = static_cast<double>(ok.load());
  std::printf("{\"clients\":%d,\"seconds\":%.1f,\"batch_rows\":%zu,\"batch_bytes\":%zu,\"batch_gzip_bytes\":%zu,"
              "\"requests_ok\":%llu,\"requests_failed\":%llu,\"requests_per_s\":%.1f,\"rows_per_s\":%.0f,"
              "\"mib_per_s_uncompressed\":%.1f,\"mib_per_s_gzip\":%.2f,\"latency_ms_p50\":%.1f,\"latency_ms_p99\":%.1f}\n",
              clients, elapsed, rows_per_batch, batch.size(), packed.size(), static_cast<unsigned long long>(ok.load()),
              static_cast<unsigned long long>(failed.load()), requests / elapsed,
              requests * static_cast<double>(rows_per_batch) / elapsed,
              requests * static_cast<double>(batch.size()) / elapsed / 1048576.0,
              requests * static_cast<double>(packed.size()) / elapsed / 1048576.0, percentile(0.5), percentile(0.99));
  if (!admin_url.empty()) {
    const Target admin = parse_url(admin_url);
    httplib::Client client(admin.host, admin.port);
    client.Delete("/_emulator/tables");
  }
  return failed.load() == 0 ? 0 : 1;
}
