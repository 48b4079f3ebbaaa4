// Runs the emulator: HTTPS on one loopback port (Entra, Logs Ingestion, Data
// Collector, admin), plain HTTP on another (IMDS, admin), until SIGINT or
// SIGTERM.
#pragma once

#include <string>

#include "config.h"

namespace wsemu {

struct ServerOptions {
  int port = 0;       // 0: ephemeral
  int http_port = 0;  // 0: ephemeral
  std::string tls_cert;  // PEM; with tls_key, used instead of a generated certificate
  std::string tls_key;
  std::string ca_out;    // where to write the generated CA (default: a temporary file)
  std::string database = ":memory:";
  int threads = 64;
  bool verbose = false;
  std::string ready_file;
  bool exit_with_stdin = false;
};

/// Serves until a stop signal; returns the process exit code.
int run_server(const ServerOptions& options, Config config);

}  // namespace wsemu
