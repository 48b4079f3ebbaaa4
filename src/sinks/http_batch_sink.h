#pragma once
// The part both Azure sinks share: rows cut into JSON-array requests under the API's byte limit,
// up to `concurrency` requests in flight, transient failures retried for as long as the process
// runs (Retry-After honoured, full jitter otherwise), a too-large request split in two, a refused
// request bisected down to the rows the service refuses (dead-lettered with its answer), and a
// refusal that only configuration can fix stopping the sink loudly. Rows are acknowledged only
// by the service's success answer for their request.

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "core/bounded_queue.h"
#include "core/mutex.h"
#include "http/http_client.h"
#include "http/retry.h"
#include "sinks/batch_plan.h"
#include "sinks/gzip_encoder.h"
#include "sinks/sink.h"

namespace gd2s {

/// What a protocol makes of the service's answer to one request.
struct Verdict {
  enum class Kind {
    kAccepted,    // every row of the request is in
    kRetry,       // transient: send the same request again later
    kRenewAuth,   // the credentials were refused: renew them once, then send again
    kSplit,       // the request is too large: send each half
    kBadRecords,  // the service refuses the content: bisect to find the rows it refuses
    kFatal,       // only a change of configuration helps: stop the sink
  };
  Kind kind = Kind::kAccepted;
  std::string detail;  // the service's own words (error code and message), for logs and letters
};

/// One HTTP ingestion API: how a request is made and how an answer is judged.
class BatchProtocol {
 public:
  virtual ~BatchProtocol() = default;
  virtual std::string_view name() const = 0;
  /// gzip level for request bodies; 0 sends the JSON array as it is.
  virtual int gzip_level() const = 0;
  /// The request for `body` (the encoded JSON array), but without it: the sink lends the body
  /// to the request only while it is sent, rather than copying it per attempt. Called again for
  /// every attempt, so tokens and signatures are fresh. May throw CredentialUnavailable (an
  /// Entra token that could not be had).
  virtual http::Request request(const std::string& body, const std::string& client_request_id,
                                std::stop_token stop) = 0;
  virtual Verdict judge(const http::Response& response) = 0;
  /// After kRenewAuth: forget the credentials `refused` carried, so the next request() renews.
  virtual void renew_auth(const http::Request& refused) = 0;
  /// Credentials obtained so far (Entra or IMDS tokens), for metrics; 0 for static keys.
  virtual uint64_t credential_renewals() const { return 0; }
};

/// Raised by send() and flush() once the sink has stopped for good.
class SinkError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpBatchSinkOptions {
  size_t max_batch_bytes = 1024 * 1024;
  size_t concurrency = 4;
  /// For transient failures without a Retry-After; max_attempts 0: retry while the process runs.
  http::Backoff backoff{std::chrono::milliseconds(500), std::chrono::seconds(60), 0};
  /// The longest Retry-After obeyed as given; longer ones are cut to this.
  Duration max_retry_after = std::chrono::minutes(10);
};

/// Counters for the summary and metrics.
struct SinkCounters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> retries{0};
  std::atomic<uint64_t> batches_accepted{0};
  std::atomic<uint64_t> rows_accepted{0};
  std::atomic<uint64_t> rows_rejected{0};
  std::atomic<uint64_t> body_bytes{0};     // uncompressed JSON of accepted batches
  std::atomic<uint64_t> wire_bytes{0};     // request bodies as sent, every attempt
  std::atomic<uint64_t> splits{0};         // 413 halvings and 400 bisections
  std::atomic<uint64_t> auth_renewals{0};  // credentials renewed after a 401
  /// Answers by HTTP status; 0 counts requests that got none (connection failures).
  std::map<long, uint64_t> statuses() const;
  void count_status(long status);

 private:
  mutable Mutex mutex_;
  std::map<long, uint64_t> statuses_ GUARDED_BY(mutex_);
};

class HttpBatchSink : public Sink {
 public:
  HttpBatchSink(std::unique_ptr<BatchProtocol> protocol, http::HttpClientPtr http,
                HttpBatchSinkOptions options);
  /// stop().
  ~HttpBatchSink() override;
  HttpBatchSink(const HttpBatchSink&) = delete;
  HttpBatchSink& operator=(const HttpBatchSink&) = delete;

  std::string_view name() const override { return protocol_->name(); }
  /// gather(), then seal().
  void send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) override;
  /// Writes each row straight into the JSON array of the request being gathered and releases
  /// its JSON: the array is the only copy. A row that does not fit seals the request first.
  void gather(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) override;
  /// Encodes the request being gathered and queues it for the senders (blocking while they
  /// are busy).
  void seal() override;
  /// seal(), then waits.
  void flush() override;
  /// Stops retrying, drops the batches not yet sent, and joins the senders (each waits for the
  /// answer to the request it has in flight, at most the HTTP timeout).
  void stop() override;
  size_t preferred_batch_bytes() const override { return options_.max_batch_bytes; }

  const SinkCounters& counters() const { return counters_; }
  void write_metrics(MetricsWriter& out) const override;

 private:
  // Rows handed over, encoded into one request. The rows keep their tickets; their JSON is
  // released once encoded, and recovered from the body only for a request refused as a whole.
  struct Batch {
    std::vector<OutboundRow> rows;
    std::string body;            // the request body: the JSON array, gzipped when the protocol says
    std::vector<uint32_t> ends;  // where each row ends in the JSON array
    size_t json_bytes = 0;       // the JSON array's size
    DeliveryReceiver* receiver = nullptr;
  };
  // A batch, or a half of one the service refused.
  struct Part {
    std::span<OutboundRow> rows;
    std::string body;
    std::vector<uint32_t> ends;
    size_t json_bytes = 0;
  };
  class Sender;

  void run_sender(size_t index);
  void deliver(Batch& batch, Sender& sender);
  std::string part_json(const Part& part, Sender& sender) const;
  std::pair<Part, Part> halves(const Part& part, Sender& sender) const;
  void stop_for_good(const std::string& message) EXCLUDES(mutex_);
  void batch_done() EXCLUDES(mutex_);
  bool stopped_for_good() EXCLUDES(mutex_);
  void throw_if_stopped() EXCLUDES(mutex_);
  void seal_gathered() REQUIRES(gather_mutex_);

  std::unique_ptr<BatchProtocol> protocol_;
  http::HttpClientPtr http_;
  HttpBatchSinkOptions options_;
  SinkCounters counters_;

  // The request being gathered, and what seal() encodes it with (the caller's thread).
  Mutex gather_mutex_;
  std::unique_ptr<GzipEncoder> encoder_ GUARDED_BY(gather_mutex_);
  std::string json_ GUARDED_BY(gather_mutex_);  // its JSON array, without the closing ']'
  Batch gathered_ GUARDED_BY(gather_mutex_);    // its rows (tickets only) and their ends
  BatchBudget budget_ GUARDED_BY(gather_mutex_);

  BoundedQueue<Batch> queue_;
  std::stop_source stop_;
  Mutex mutex_;
  std::condition_variable idle_;
  size_t in_flight_ GUARDED_BY(mutex_) = 0;  // batches handed over and not yet finished
  std::string fatal_ GUARDED_BY(mutex_);
  std::vector<std::thread> senders_;
  std::once_flag joined_;
};

/// The wait a Retry-After header asks for: seconds or an HTTP date; nullopt when absent or
/// unreadable. A date in the past asks for no wait.
std::optional<Duration> parse_retry_after(std::string_view value, Timestamp now);

}  // namespace gd2s
