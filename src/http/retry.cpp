#include "http/retry.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace gd2s::http {

Duration full_jitter(const Backoff& backoff, int attempt, std::mt19937_64& random) {
  int64_t ceiling = backoff.base.count();
  for (int i = 0; i < attempt && ceiling < backoff.cap.count(); ++i) ceiling *= 2;
  ceiling = std::min<int64_t>(ceiling, backoff.cap.count());
  std::uniform_int_distribution<int64_t> pick(0, ceiling);
  return Duration{pick(random)};
}

bool is_retryable_status(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

bool sleep_for(Duration duration, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  return !wake.wait_for(lock, stop, duration, [] { return false; }) && !stop.stop_requested();
}

Response send_with_retries(HttpClient& client, const std::function<Request()>& make_request,
                           const Backoff& backoff, std::stop_token stop,
                           const std::function<bool(const Response&)>& retryable) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  for (int attempt = 0;; ++attempt) {
    bool last = backoff.max_attempts > 0 && attempt + 1 >= backoff.max_attempts;
    Request request = make_request();
    try {
      Response response = client.send(request);
      bool again = retryable ? retryable(response) : is_retryable_status(response.status);
      if (!again || last || stop.stop_requested()) return response;
      spdlog::debug("{} {}: HTTP {}, retrying", request.method, request.url, response.status);
    } catch (const HttpError& error) {
      if (error.kind() == HttpError::Kind::kTooLarge || last || stop.stop_requested()) throw;
      spdlog::debug("{} {}: {}, retrying", request.method, request.url, error.what());
    }
    if (!sleep_for(full_jitter(backoff, attempt, random), stop))
      throw HttpError(HttpError::Kind::kOther, "stopped while retrying " + request.url);
  }
}

}  // namespace gd2s::http
