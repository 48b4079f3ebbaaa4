#include "sinks/http_batch_sink.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <random>

#include "core/credential_error.h"
#include "core/uuid.h"
#include "sinks/batch_plan.h"
#include "sinks/gzip_encoder.h"

namespace gd2s {

namespace {

std::string human_bytes(size_t bytes) {
  return std::to_string(bytes) + " bytes";
}
}  // namespace

std::map<long, uint64_t> SinkCounters::statuses() const {
  MutexLock lock(mutex_);
  return statuses_;
}

void SinkCounters::count_status(long status) {
  MutexLock lock(mutex_);
  ++statuses_[status];
}

std::optional<Duration> parse_retry_after(std::string_view value, Timestamp now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error == std::errc() && end == value.data() + value.size())
    return seconds < 0 ? std::nullopt : std::optional<Duration>(std::chrono::seconds(seconds));
  // An HTTP date (RFC 9110 §10.2.3); libcurl reads all three historical forms.
  std::string text(value);
  time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  auto at = std::chrono::system_clock::from_time_t(when);
  auto wait = std::chrono::duration_cast<Duration>(at - now);
  return wait.count() < 0 ? Duration(0) : wait;
}

// One sender thread's own tools: a random source for the jitter, and, for the rare request the
// service refuses as a whole (split or bisected), a gzip codec to re-encode its halves.
class HttpBatchSink::Sender {
 public:
  Sender(int gzip_level, size_t index)
      : gzip_level_(gzip_level), random_(std::random_device{}() + index) {}
  GzipEncoder* encoder() {
    if (gzip_level_ > 0 && !encoder_) encoder_ = std::make_unique<GzipEncoder>(gzip_level_);
    return encoder_.get();
  }
  GzipDecoder& decoder() {
    if (!decoder_) decoder_ = std::make_unique<GzipDecoder>();
    return *decoder_;
  }
  std::mt19937_64& random() { return random_; }

 private:
  int gzip_level_;
  std::mt19937_64 random_;
  std::unique_ptr<GzipEncoder> encoder_;
  std::unique_ptr<GzipDecoder> decoder_;
};

namespace {

// Lends a request body to the request that sends it, and takes it back (for a retry, a split
// or a dead letter) when the send is over, however it ends.
class BodyLoan {
 public:
  BodyLoan(std::string& owner, std::string& request_body) : owner_(owner), borrower_(request_body) {
    borrower_.swap(owner_);
  }
  ~BodyLoan() { owner_.swap(borrower_); }
  BodyLoan(const BodyLoan&) = delete;
  BodyLoan& operator=(const BodyLoan&) = delete;

 private:
  std::string& owner_;
  std::string& borrower_;
};

// The request body of a JSON array: gzip, or the array itself.
void encode(std::string& json, GzipEncoder* encoder, std::string& body) {
  if (encoder != nullptr)
    encoder->compress(json, body);
  else
    body.swap(json);
}

}  // namespace

HttpBatchSink::HttpBatchSink(std::unique_ptr<BatchProtocol> protocol, http::HttpClientPtr http,
                             HttpBatchSinkOptions options)
    : protocol_(std::move(protocol)),
      http_(std::move(http)),
      options_(options),
      encoder_(protocol_->gzip_level() > 0 ? std::make_unique<GzipEncoder>(protocol_->gzip_level())
                                           : nullptr),
      budget_(options.max_batch_bytes),
      // Requests waiting for a sender, counted one each (each is at most max_batch_bytes): one
      // per two senders, at least one, so a free sender finds one ready and memory holds no
      // more of them than that.
      queue_((std::max<size_t>(1, options.concurrency) + 1) / 2) {
  for (size_t i = 0; i < std::max<size_t>(1, options_.concurrency); ++i)
    senders_.emplace_back([this, i] { run_sender(i); });
}

HttpBatchSink::~HttpBatchSink() {
  stop();
}

void HttpBatchSink::stop() {
  stop_.request_stop();
  queue_.close();
  std::call_once(joined_, [&] {
    for (auto& sender : senders_) sender.join();
  });
}

bool HttpBatchSink::stopped_for_good() {
  MutexLock lock(mutex_);
  return !fatal_.empty();
}

void HttpBatchSink::throw_if_stopped() {
  MutexLock lock(mutex_);
  if (!fatal_.empty()) throw SinkError(fatal_);
}

void HttpBatchSink::send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) {
  gather(std::move(rows), receiver);
  seal();
}

void HttpBatchSink::gather(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) {
  throw_if_stopped();
  MutexLock lock(gather_mutex_);
  if (gathered_.receiver != &receiver) seal_gathered();  // one receiver per request
  gathered_.receiver = &receiver;
  for (OutboundRow& row : rows) {
    const size_t size = row.json.size();
    if (budget_.too_large(size)) {
      seal_gathered();  // the rows before it go in their order
      counters_.rows_rejected.fetch_add(1, std::memory_order_relaxed);
      receiver.rejected(row, "the row is " + human_bytes(size) + "; one " +
                                 std::string(protocol_->name()) + " request carries at most " +
                                 human_bytes(options_.max_batch_bytes));
      continue;
    }
    if (!budget_.fits(size)) seal_gathered();
    if (json_.empty()) json_.reserve(options_.max_batch_bytes);  // exactly: no doubling past it
    json_ += budget_.count() == 0 ? '[' : ',';
    json_ += row.json;
    budget_.add(size);
    gathered_.ends.push_back(static_cast<uint32_t>(json_.size()));
    std::string().swap(row.json);  // the array holds it now
    gathered_.rows.push_back(std::move(row));
  }
}

void HttpBatchSink::seal() {
  MutexLock lock(gather_mutex_);
  seal_gathered();
}

void HttpBatchSink::seal_gathered() {
  if (gathered_.rows.empty()) return;
  Batch batch = std::move(gathered_);
  gathered_ = Batch{};
  gathered_.receiver = batch.receiver;  // the next request's rows go to the same receiver
  json_ += ']';
  batch.json_bytes = json_.size();
  // Encoded here, once: what waits and what is in flight is the request body (a fifth of the
  // JSON with gzip), not the rows' JSON.
  encode(json_, encoder_.get(), batch.body);
  json_.clear();
  budget_.reset();
  {
    MutexLock lock(mutex_);
    ++in_flight_;
  }
  if (!queue_.push(batch, 1)) {
    batch_done();
    MutexLock lock(mutex_);
    throw SinkError(fatal_.empty() ? std::string(protocol_->name()) + " sink stopped" : fatal_);
  }
}

void HttpBatchSink::flush() {
  {
    MutexLock lock(gather_mutex_);
    // After a fatal answer the request being gathered is not sent: its rows stay unreported.
    if (!stopped_for_good()) seal_gathered();
  }
  MutexLock lock(mutex_);
  // Even after a fatal answer, wait for the other requests in flight: a late answer reports
  // to its receiver, which must still be there (the caller may free it once this returns).
  // Once stopped, the senders abandon their retries and drop what is queued, so this is short.
  idle_.wait(lock.native(), [&]() REQUIRES(mutex_) { return in_flight_ == 0; });
  if (!fatal_.empty()) throw SinkError(fatal_);
}

void HttpBatchSink::batch_done() {
  MutexLock lock(mutex_);
  --in_flight_;
  if (in_flight_ == 0) idle_.notify_all();
}

void HttpBatchSink::stop_for_good(const std::string& message) {
  {
    MutexLock lock(mutex_);
    if (!fatal_.empty()) return;
    fatal_ = message;
  }
  spdlog::error("{}", message);
  stop_.request_stop();
  queue_.close();
  idle_.notify_all();
}

void HttpBatchSink::run_sender(size_t index) {
  Sender sender(protocol_->gzip_level(), index);
  while (auto batch = queue_.pop()) {
    deliver(*batch, sender);
    batch_done();
  }
}

// The JSON array a part was encoded from (only when the service refused it as a whole).
std::string HttpBatchSink::part_json(const Part& part, Sender& sender) const {
  if (protocol_->gzip_level() == 0) return part.body;
  std::string json;
  sender.decoder().decompress(part.body, part.json_bytes, json);
  return json;
}

// The two halves of a refused part, each encoded as a request of its own.
std::pair<HttpBatchSink::Part, HttpBatchSink::Part> HttpBatchSink::halves(const Part& part,
                                                                          Sender& sender) const {
  std::string json = part_json(part, sender);
  size_t half = part.rows.size() / 2;
  auto make = [&](size_t first, size_t count) {
    Part out;
    out.rows = part.rows.subspan(first, count);
    size_t begin = first == 0 ? 1 : part.ends[first - 1] + 1;  // after "[" or the comma
    size_t end = part.ends[first + count - 1];
    std::string array;
    array.reserve(end - begin + 2);
    array += '[';
    array.append(json, begin, end - begin);
    array += ']';
    for (size_t i = first; i < first + count; ++i)
      out.ends.push_back(static_cast<uint32_t>(part.ends[i] - begin + 1));
    out.json_bytes = array.size();
    encode(array, sender.encoder(), out.body);
    return out;
  };
  return {make(0, half), make(half, part.rows.size() - half)};
}

void HttpBatchSink::deliver(Batch& batch, Sender& sender) {
  // Parts still to send, last first: a split pushes its second half, then its first.
  std::vector<Part> parts;
  parts.push_back(Part{batch.rows, std::move(batch.body), std::move(batch.ends), batch.json_bytes});
  std::stop_token stop = stop_.get_token();
  while (!parts.empty()) {
    Part part = std::move(parts.back());
    parts.pop_back();
    std::span<OutboundRow> rows = part.rows;
    const std::string* body = &part.body;

    std::string request_id = random_uuid();
    bool renewed = false;
    int attempt = 0;
    std::optional<Verdict> verdict;
    while (!verdict) {
      if (stop.stop_requested()) return;  // rows stay unacknowledged
      auto back_off = [&](const std::string& why, std::optional<Duration> asked) {
        Duration wait = asked ? std::min(*asked, options_.max_retry_after)
                              : http::full_jitter(options_.backoff, attempt, sender.random());
        ++attempt;
        counters_.retries.fetch_add(1, std::memory_order_relaxed);
        auto level = attempt >= 3 ? spdlog::level::warn : spdlog::level::info;
        spdlog::log(level, "{}: {} rows: {}; retry {} in {} ms (x-ms-client-request-id {})",
                    protocol_->name(), rows.size(), why, attempt,
                    std::chrono::duration_cast<std::chrono::milliseconds>(wait).count(),
                    request_id);
        http::sleep_for(wait, stop);
      };

      http::Request request;
      try {
        request = protocol_->request(*body, request_id, stop);
      } catch (const CredentialUnavailable& error) {
        if (!error.transient()) {
          stop_for_good(error.what());
          return;
        }
        back_off(error.what(), std::nullopt);
        continue;
      }
      http::Response response;
      counters_.requests.fetch_add(1, std::memory_order_relaxed);
      counters_.wire_bytes.fetch_add(body->size(), std::memory_order_relaxed);
      try {
        // The body goes out in the request and comes back after it: no copy of it per attempt.
        BodyLoan loan(part.body, request.body);
        response = http_->send(request);
      } catch (const http::HttpError& error) {
        counters_.count_status(0);
        back_off(error.what(), std::nullopt);
        continue;
      }
      counters_.count_status(response.status);
      Verdict judged = protocol_->judge(response);
      std::string service_id(response.header("x-ms-request-id"));
      switch (judged.kind) {
        case Verdict::Kind::kRetry:
          back_off("HTTP " + std::to_string(response.status) + " " + judged.detail +
                       (service_id.empty() ? "" : " (x-ms-request-id " + service_id + ")"),
                   parse_retry_after(response.header("Retry-After"), now_utc()));
          continue;
        case Verdict::Kind::kRenewAuth:
          if (!renewed) {
            renewed = true;
            counters_.auth_renewals.fetch_add(1, std::memory_order_relaxed);
            spdlog::info("{}: HTTP {} {}; renewing the credentials once", protocol_->name(),
                         response.status, judged.detail);
            protocol_->renew_auth(request);
            continue;
          }
          stop_for_good(std::string(protocol_->name()) + ": HTTP " +
                        std::to_string(response.status) +
                        " again with renewed credentials: " + judged.detail);
          return;
        case Verdict::Kind::kFatal:
          stop_for_good(judged.detail);
          return;
        default:
          verdict = std::move(judged);
      }
    }

    switch (verdict->kind) {
      case Verdict::Kind::kAccepted:
        counters_.batches_accepted.fetch_add(1, std::memory_order_relaxed);
        counters_.rows_accepted.fetch_add(rows.size(), std::memory_order_relaxed);
        counters_.body_bytes.fetch_add(part.json_bytes, std::memory_order_relaxed);
        batch.receiver->accepted(rows);
        break;
      case Verdict::Kind::kSplit:
      case Verdict::Kind::kBadRecords: {
        bool bad = verdict->kind == Verdict::Kind::kBadRecords;
        if (rows.size() == 1) {
          counters_.rows_rejected.fetch_add(1, std::memory_order_relaxed);
          std::string json = part_json(part, sender);  // "[row]"
          rows[0].json.assign(json, 1, json.size() - 2);
          batch.receiver->rejected(
              rows[0], std::string(protocol_->name()) +
                           (bad ? " refused the record: " : " refused the record as too large: ") +
                           verdict->detail);
          break;
        }
        counters_.splits.fetch_add(1, std::memory_order_relaxed);
        spdlog::warn("{}: a request of {} rows ({}) was refused: {}; {} it", protocol_->name(),
                     rows.size(), human_bytes(part.json_bytes), verdict->detail,
                     bad ? "bisecting to find the refused rows in" : "splitting");
        auto [first, second] = halves(part, sender);
        parts.push_back(std::move(second));
        parts.push_back(std::move(first));
        break;
      }
      default:
        break;
    }
  }
}

void HttpBatchSink::write_metrics(MetricsWriter& out) const {
  const std::string sink(protocol_->name());
  auto counter = [&](std::string_view name, std::string_view help, uint64_t value) {
    out.family(name, MetricType::kCounter, help);
    out.sample({{"sink", sink}}, static_cast<double>(value));
  };
  counter("gd2sentinel_sink_requests_total", "HTTP requests sent, every attempt counted",
          counters_.requests.load());
  counter("gd2sentinel_sink_retries_total",
          "Requests sent again after a throttling, a server error or no answer",
          counters_.retries.load());
  counter("gd2sentinel_sink_batches_total", "Batches the service accepted",
          counters_.batches_accepted.load());
  counter("gd2sentinel_sink_rows_rejected_total",
          "Rows the service refused for good (dead-lettered)", counters_.rows_rejected.load());
  counter("gd2sentinel_sink_batch_splits_total", "Batches halved after 413 or bisected after 400",
          counters_.splits.load());
  counter("gd2sentinel_sink_body_bytes_total", "Uncompressed JSON bytes of accepted batches",
          counters_.body_bytes.load());
  counter("gd2sentinel_sink_wire_bytes_total", "Request body bytes sent (gzip), every attempt",
          counters_.wire_bytes.load());
  counter("gd2sentinel_sink_credential_renewals_total",
          "Access tokens obtained from Microsoft Entra ID or the managed identity endpoint",
          protocol_->credential_renewals());
  out.family("gd2sentinel_sink_http_responses_total", MetricType::kCounter,
             "Answers by HTTP status code; code \"none\" counts requests that got no answer");
  for (const auto& [status, count] : counters_.statuses())
    out.sample({{"sink", sink}, {"code", status == 0 ? "none" : std::to_string(status)}},
               static_cast<double>(count));
}

}  // namespace gd2s
