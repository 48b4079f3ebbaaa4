#pragma once
// Retries with exponential backoff and full jitter: sleep a random time in
// [0, min(cap, base * 2^attempt)], which spreads retries from many clients apart.

#include <functional>
#include <optional>
#include <random>
#include <stop_token>

#include "http/http_client.h"

namespace gd2s::http {

struct Backoff {
  Duration base = std::chrono::milliseconds(200);
  Duration cap = std::chrono::seconds(20);
  int max_attempts = 5;  // 0 = retry for as long as the process runs
};

/// The wait before retry number `attempt` (0 for the first retry).
Duration full_jitter(const Backoff& backoff, int attempt, std::mt19937_64& random);

/// 429, 500, 502, 503 and 504: worth another try.
bool is_retryable_status(long status);

/// Sends `make_request()` until it gets a response that is not retryable, the attempts run out,
/// or `stop` is requested; a fresh request is made for every attempt (signatures carry a time).
/// Connection errors count as retryable. Returns the last response; rethrows the last HttpError
/// when no attempt got a response.
Response send_with_retries(HttpClient& client, const std::function<Request()>& make_request,
                           const Backoff& backoff, std::stop_token stop = {},
                           const std::function<bool(const Response&)>& retryable = nullptr);

/// Sleeps up to `duration`, waking early when `stop` is requested. False if stopped.
bool sleep_for(Duration duration, std::stop_token stop);

}  // namespace gd2s::http
