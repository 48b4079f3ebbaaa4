// workspace-emulator: a local stand-in for Microsoft Entra ID, Azure IMDS, the
// Azure Monitor Logs Ingestion API and the legacy Data Collector API.
#include <malloc.h>

#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "base64.h"
#include "config.h"
#include "crypto.h"
#include "server.h"
#include "tls_material.h"

int main(int argc, char** argv) {
  CLI::App app{"workspace-emulator: Entra ID, IMDS, Logs Ingestion and Data Collector stand-in on 127.0.0.1"};
  app.require_subcommand(0, 1);

  wsemu::ServerOptions options;
  std::string config_path;
  app.add_option("--config", config_path, "Configuration file (JSON; see README.md)")->check(CLI::ExistingFile);
  app.add_option("--port", options.port, "HTTPS port on 127.0.0.1 (0: any free port)");
  app.add_option("--http-port", options.http_port, "Plain-HTTP port for IMDS and the admin API (0: any free port)");
  app.add_option("--tls-cert", options.tls_cert, "Server certificate PEM (default: generate a test CA and certificate)");
  app.add_option("--tls-key", options.tls_key, "Server private key PEM");
  app.add_option("--ca-out", options.ca_out, "Where to write the generated CA certificate (PEM)");
  app.add_option("--db", options.database, "SQLite database file for the tables (default: in memory)");
  app.add_option("--threads", options.threads, "Worker threads of the HTTPS server")->check(CLI::Range(1, 1024));
  app.add_option("--ready-file", options.ready_file, "Also write the ready line to this file");
  app.add_flag("--exit-with-stdin", options.exit_with_stdin, "Stop when standard input reaches end of file");
  app.add_flag("-v,--verbose", options.verbose, "Log every request to standard error");

  auto* gen_cert = app.add_subcommand("gen-cert", "Write a self-signed client certificate with its key (PEM) for an application");
  std::string cert_out;
  std::string common_name = "gd2sentinel-emulator-app";
  int days = 365;
  gen_cert->add_option("--out", cert_out, "Output PEM (private key followed by certificate)")->required();
  gen_cert->add_option("--cn", common_name, "Subject common name");
  gen_cert->add_option("--days", days, "Validity in days");

  auto* gen_tls = app.add_subcommand("gen-tls", "Write a test CA and a 127.0.0.1/localhost server certificate");
  std::string tls_dir;
  gen_tls->add_option("--dir", tls_dir, "Directory for ca.pem, server.pem and server.key")->required()->check(CLI::ExistingDirectory);

  CLI11_PARSE(app, argc, argv);
  // Request bodies are megabyte buffers: keep them on the heap and keep freed
  // memory, instead of mapping and unmapping (and faulting in) pages per request.
  mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
  try {
    if (gen_cert->parsed()) {
      auto cert = wsemu::generate_client_certificate(common_name, days);
      const std::string pem = wsemu::private_key_pem(cert.key.get()) + wsemu::certificate_pem(cert.cert.get());
      wsemu::write_file(cert_out, pem);
      const std::string der = wsemu::certificate_der(cert.cert.get());
      std::cout << "{\"path\":\"" << cert_out << "\",\"x5t#S256\":\"" << wsemu::base64url_encode(wsemu::sha256(der))
                << "\",\"sha1_thumbprint\":\"" << wsemu::hex_encode(wsemu::sha1(der)) << "\"}" << std::endl;
      return 0;
    }
    if (gen_tls->parsed()) {
      auto tls = wsemu::generate_server_tls(365);
      wsemu::write_file(tls_dir + "/ca.pem", wsemu::certificate_pem(tls.ca_cert.get()));
      wsemu::write_file(tls_dir + "/server.pem", wsemu::certificate_pem(tls.server_cert.get()));
      wsemu::write_file(tls_dir + "/server.key", wsemu::private_key_pem(tls.server_key.get()));
      return 0;
    }
    wsemu::Config config = config_path.empty() ? wsemu::default_config() : wsemu::load_config_file(config_path);
    return wsemu::run_server(options, std::move(config));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "workspace-emulator: %s\n", e.what());
    return 1;
  }
}
