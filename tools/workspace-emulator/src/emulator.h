// The emulator's shared state: configuration, signing key, tables, request
// log, faults and rates. Every handler works on one Emulator.
#pragma once

#include <atomic>
#include <string>

#include "config.h"
#include "faults.h"
#include "rate_limiter.h"
#include "request_log.h"
#include "store.h"
#include "tokens.h"

namespace wsemu {

struct Emulator {
  Emulator(Config configuration, PKey signing_key, const std::string& database_path);

  /// Creates the tables the rules' data flows write to.
  void define_tables();

  Config config;
  TokenSigner signer;
  Store store;
  RequestLog requests;
  FaultInjector faults;
  RateLimiter limiter;
  std::string https_url;  // https://127.0.0.1:<port>
  std::string http_url;   // http://127.0.0.1:<port> (IMDS and the admin API)
  std::atomic<bool> verbose{false};
};

}  // namespace wsemu
