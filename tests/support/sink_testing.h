#pragma once
// Stand-ins for testing sinks without a network: an HTTP client answering from a function, a
// token provider with a fixed token, and a receiver that records every report.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "azure/token_provider.h"
#include "core/byte_stream.h"
#include "decode/gunzip.h"
#include "http/http_client.h"
#include "sinks/sink.h"

namespace gd2s::test {

/// Answers every request with `handler`, from any thread, and remembers them.
class FakeHttpClient final : public http::HttpClient {
 public:
  struct Seen {
    http::Request request;
    std::chrono::steady_clock::time_point at;
  };
  using Handler = std::function<http::Response(const http::Request&)>;
  explicit FakeHttpClient(Handler handler) : handler_(std::move(handler)) {}

  http::Response send(const http::Request& request) override {
    {
      std::lock_guard lock(mutex_);
      seen_.push_back({request, std::chrono::steady_clock::now()});
    }
    return handler_(request);
  }
  std::unique_ptr<http::ResponseStream> open(const http::Request&) override {
    throw http::HttpError(http::HttpError::Kind::kOther, "FakeHttpClient does not stream");
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  Handler handler_;
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
};

/// Hands out "token-<n>"; invalidate() of the current token moves to the next one.
class FakeTokens final : public azure::TokenProvider {
 public:
  azure::AccessToken token(std::stop_token) override {
    std::lock_guard lock(mutex_);
    return {Secret("token-" + std::to_string(generation_)), now_utc() + std::chrono::hours(1)};
  }
  void invalidate(const azure::AccessToken& rejected) override {
    std::lock_guard lock(mutex_);
    if (rejected.value.reveal() == "token-" + std::to_string(generation_)) ++generation_;
    ++invalidations_;
  }
  std::string describe() const override { return "fake identity"; }
  uint64_t renewals() const override { return static_cast<uint64_t>(generation_); }
  int invalidations() const {
    std::lock_guard lock(mutex_);
    return invalidations_;
  }

 private:
  mutable std::mutex mutex_;
  int generation_ = 0;
  int invalidations_ = 0;
};

/// Records accepted rows (by their line: make_rows numbers them 1, 2, …) and rejected rows (by
/// their JSON, with the reason).
class RecordingReceiver final : public DeliveryReceiver {
 public:
  void accepted(std::span<OutboundRow> rows) override {
    std::lock_guard lock(mutex_);
    for (OutboundRow& row : rows) {
      accepted_.push_back(row.ticket.line);
      if (!row.json.empty()) ++accepted_with_json_;
    }
  }
  void rejected(OutboundRow& row, std::string_view reason) override {
    std::lock_guard lock(mutex_);
    rejected_.emplace_back(row.json, std::string(reason));
  }
  std::vector<uint64_t> accepted_rows() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  /// Accepted rows that still held their JSON when reported.
  size_t accepted_with_json() const {
    std::lock_guard lock(mutex_);
    return accepted_with_json_;
  }
  std::vector<std::pair<std::string, std::string>> rejected_rows() const {
    std::lock_guard lock(mutex_);
    return rejected_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<uint64_t> accepted_;
  size_t accepted_with_json_ = 0;
  std::vector<std::pair<std::string, std::string>> rejected_;
};

/// The body as sent, un-gzipped when it is gzip.
inline std::string plain_body(const std::string& body) {
  MemoryByteStream raw(body);
  MaybeGunzipStream in(raw);
  std::string out;
  char buffer[8192];
  for (size_t n; (n = in.read(buffer)) > 0;) out.append(buffer, n);
  return out;
}

/// Rows with the given JSON, without a unit (sink tests do not commit anything).
inline std::vector<OutboundRow> make_rows(const std::vector<std::string>& json) {
  std::vector<OutboundRow> rows;
  for (const std::string& j : json) {
    RecordTicket ticket;
    ticket.line = rows.size() + 1;
    rows.push_back(OutboundRow{j, std::move(ticket)});
  }
  return rows;
}

inline http::Response answer(long status, std::string body = "", http::Headers headers = {}) {
  return http::Response{status, std::move(headers), std::move(body)};
}

}  // namespace gd2s::test
