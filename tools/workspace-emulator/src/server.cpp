#include "server.h"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include <httplib.h>
#include <openssl/ssl.h>

#include "crypto.h"
#include "emulator.h"
#include "handlers.h"
#include "http_util.h"
#include "json_util.h"
#include "tls_material.h"

namespace wsemu {
namespace {

constexpr std::size_t kMaxPayload = 256 * 1024 * 1024;

void configure(httplib::Server& server, Emulator& emulator, int threads, int& listening_fd) {
  server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(30);
  server.set_read_timeout(60);
  server.set_write_timeout(60);
  server.set_payload_max_length(kMaxPayload);
  server.set_tcp_nodelay(true);  // no Nagle delay on small answers after large bodies
  server.set_socket_options([&listening_fd](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    listening_fd = sock;
  });
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& request,
                                                                  httplib::Response& response) {
    if (!response.body.empty() || response.has_header("x-ms-request-id")) return httplib::Server::HandlerResponse::Unhandled;
    const std::string code = response.status == 404 ? "NotFound" : response.status == 413 ? "ContentLengthLimitExceeded" : "BadRequest";
    set_json(response, response.status,
             "{\"error\":{\"code\":\"" + code + "\",\"message\":" +
                 json_quote("The emulator has no answer for " + request.method + " " + request.path + ".") + "}}");
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([](const httplib::Request& request, httplib::Response& response, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    std::fprintf(stderr, "workspace-emulator: error answering %s %s: %s\n", request.method.c_str(), request.path.c_str(),
                 what.c_str());
    set_json(response, 500, "{\"error\":{\"code\":\"InternalServerError\",\"message\":" + json_quote(what) + "}}");
  });
  register_admin(server, emulator);
  register_imds(server, emulator);
}

int bind_loopback(httplib::Server& server, int port, const char* what) {
  const int bound = port == 0 ? server.bind_to_any_port("127.0.0.1")
                              : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) {
    std::fprintf(stderr, "workspace-emulator: cannot listen on 127.0.0.1:%d (%s)\n", port, what);
    return -1;
  }
  return bound;
}

struct Tls {
  PKey key;
  Cert cert;
  std::string ca_path;
  bool remove_ca = false;
};

Tls prepare_tls(const ServerOptions& options) {
  Tls tls;
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    if (options.tls_cert.empty() || options.tls_key.empty()) throw std::runtime_error("--tls-cert and --tls-key go together");
    auto certs = read_certificates_pem(read_file(options.tls_cert));
    tls.key = read_private_key_pem(read_file(options.tls_key));
    if (certs.empty() || !tls.key) throw std::runtime_error("cannot read the TLS certificate or key");
    tls.cert = std::move(certs.front());
    tls.ca_path = options.ca_out.empty() ? options.tls_cert : options.ca_out;
    return tls;
  }
  ServerTls generated = generate_server_tls(30);
  tls.key = std::move(generated.server_key);
  tls.cert = std::move(generated.server_cert);
  tls.ca_path = options.ca_out;
  if (tls.ca_path.empty()) {
    tls.ca_path = (std::filesystem::temp_directory_path() / ("workspace-emulator-ca-" + std::to_string(getpid()) + ".pem")).string();
    tls.remove_ca = true;
  }
  write_file(tls.ca_path, certificate_pem(generated.ca_cert.get()));
  return tls;
}

/// Shuts down every accepted connection on the given local ports, so that
/// workers waiting on idle keep-alive connections end at once on stop.
void shutdown_client_connections(int https_port, int http_port) {
  for_each_connected_socket([&](int fd, int local_port, int) {
    if (local_port == https_port || local_port == http_port) ::shutdown(fd, SHUT_RDWR);
    return true;
  });
}

PKey signing_key(const Config& config) {
  if (!config.signing_key_path) return generate_rsa_key(2048);
  PKey key = read_private_key_pem(read_file(*config.signing_key_path));
  if (!key) throw std::runtime_error("entra.signing_key: no private key in " + *config.signing_key_path);
  return key;
}

}  // namespace

int run_server(const ServerOptions& options, Config config) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // every thread inherits this; main waits for them
  signal(SIGPIPE, SIG_IGN);

  Tls tls = prepare_tls(options);
  PKey token_key = signing_key(config);
  Emulator emulator(std::move(config), std::move(token_key), options.database);
  emulator.verbose = options.verbose;

  httplib::SSLServer https(tls.cert.get(), tls.key.get());
  if (!https.is_valid()) throw std::runtime_error("the TLS server could not be set up");
  SSL_CTX_set_min_proto_version(https.ssl_context(), TLS1_2_VERSION);
  httplib::Server http;
  int https_fd = -1;
  int http_fd = -1;
  configure(https, emulator, options.threads, https_fd);
  configure(http, emulator, std::max(4, options.threads / 8), http_fd);
  register_entra(https, emulator);
  register_logs_ingestion(https, emulator);
  register_arm(https, emulator);
  register_data_collector(https, emulator);

  const int https_port = bind_loopback(https, options.port, "HTTPS");
  const int http_port = https_port > 0 ? bind_loopback(http, options.http_port, "HTTP") : -1;
  if (https_port <= 0 || http_port <= 0) return 2;
  // httplib listens with a backlog of 5; many concurrent clients need more.
  if (https_fd >= 0) ::listen(https_fd, 1024);
  if (http_fd >= 0) ::listen(http_fd, 256);
  emulator.https_url = "https://127.0.0.1:" + std::to_string(https_port);
  emulator.http_url = "http://127.0.0.1:" + std::to_string(http_port);

  std::thread https_thread([&] { https.listen_after_bind(); });
  std::thread http_thread([&] { http.listen_after_bind(); });
  std::thread stdin_watch;
  if (options.exit_with_stdin) {
    stdin_watch = std::thread([] {
      char buffer[256];
      while (::read(STDIN_FILENO, buffer, sizeof buffer) > 0) {
      }
      kill(getpid(), SIGTERM);
    });
    stdin_watch.detach();
  }

  const std::string ready = "{\"url\":" + json_quote(emulator.https_url) + ",\"ca\":" + json_quote(tls.ca_path) +
                            ",\"http_url\":" + json_quote(emulator.http_url) +
                            ",\"imds_url\":" + json_quote(emulator.http_url) + ",\"pid\":" + std::to_string(getpid()) + "}";
  if (!options.ready_file.empty()) write_file(options.ready_file, ready + "\n");
  std::cout << ready << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  if (options.verbose) std::fprintf(stderr, "workspace-emulator: stopping (signal %d)\n", signal_number);
  https.stop();
  http.stop();
  shutdown_client_connections(https_port, http_port);
  https_thread.join();
  http_thread.join();
  if (tls.remove_ca) std::filesystem::remove(tls.ca_path);
  return 0;
}

}  // namespace wsemu
