// Start-up time: from fork() of `gd2sentinel run --once` to its first request arriving at the
// S3 endpoint (the first request it makes), both on this process's monotonic clock. The
// endpoint is a socket this program listens on; the request is answered with nothing and the
// child is killed, so each run measures start-up alone. Prints every run and the median.
//
//   gd2s_bench_startup GD2SENTINEL [RUNS=20]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

int listen_loopback(int& port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::perror("startup: listen");
    std::exit(2);
  }
  port = ntohs(address.sin_port);
  return fd;
}

std::string write_config(const std::filesystem::path& dir, int run) {
  std::filesystem::path file = dir / ("gd2sentinel-" + std::to_string(run) + ".toml");
  std::ofstream out(file);
  out << "[source.s3_listing]\nbucket = \"guardduty-bench\"\nregion = \"us-east-1\"\n"
      << "[aws]\ns3_path_style = true\n"
      << "[sink.logs_ingestion]\nendpoint = \"https://127.0.0.1:9\"\n"
      << "dcr_immutable_id = \"dcr-00000000000000000000000000000001\"\n"
      << "stream = \"Custom-GuardDutyFinding\"\n"
      << "[azure]\nauth = \"client_secret\"\n"
      << "tenant_id = \"3d6f7a21-0000-4000-8000-000000000001\"\n"
      << "client_id = \"0e9c4d1a-0000-4000-8000-000000000002\"\n"
      << "client_secret = \"env:BENCH_AZURE_CLIENT_SECRET\"\n"
      << "authority_host = \"https://127.0.0.1:9\"\n"
      << "[state]\npath = \"" << (dir / ("state-" + std::to_string(run) + ".db")).string()
      << "\"\n[dead_letter]\npath = \"" << (dir / "dead.jsonl").string() << "\"\n"
      << "[log]\nlevel = \"error\"\n";
  out.close();
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return file.string();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s GD2SENTINEL [RUNS]\n", argv[0]);
    return 2;
  }
  const std::string binary = argv[1];
  const int runs = argc > 2 ? std::atoi(argv[2]) : 20;
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("gd2s-startup-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::vector<double> times;
  for (int run = 0; run < runs; ++run) {
    int port = 0;
    int listener = listen_loopback(port);
    std::string config = write_config(dir, run);
    std::string endpoint = "AWS_ENDPOINT_URL_S3=http://127.0.0.1:" + std::to_string(port);
    auto started = std::chrono::steady_clock::now();
    pid_t child = fork();
    if (child == 0) {
      putenv(endpoint.data());
      putenv(const_cast<char*>("AWS_ACCESS_KEY_ID=AKIDBENCH"));
      putenv(const_cast<char*>("AWS_SECRET_ACCESS_KEY=bench-secret"));
      putenv(const_cast<char*>("AWS_EC2_METADATA_DISABLED=true"));
      putenv(const_cast<char*>("BENCH_AZURE_CLIENT_SECRET=bench"));
      execl(binary.c_str(), binary.c_str(), "run", "--once", "--config", config.c_str(), nullptr);
      std::_Exit(127);
    }
    pollfd waiting{listener, POLLIN, 0};
    if (poll(&waiting, 1, 10000) != 1) {
      std::fprintf(stderr, "startup: no request within 10 s\n");
      kill(child, SIGKILL);
      return 1;
    }
    int connection = accept(listener, nullptr, nullptr);
    char byte = 0;
    (void)!read(connection, &byte, 1);  // the request itself, not only the connection
    auto arrived = std::chrono::steady_clock::now();
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    close(connection);
    close(listener);
    times.push_back(std::chrono::duration<double, std::milli>(arrived - started).count());
    std::printf("run %2d: first request after %.1f ms\n", run + 1, times.back());
  }
  std::filesystem::remove_all(dir);
  std::sort(times.begin(), times.end());
  std::printf("median %.1f ms, min %.1f ms, max %.1f ms over %d runs\n", times[times.size() / 2],
              times.front(), times.back(), runs);
  return 0;
}
