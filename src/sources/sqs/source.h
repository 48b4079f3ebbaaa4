#pragma once
// [source.sqs]: long-polls an SQS queue that carries S3 event notifications (direct, through
// SNS, or from EventBridge) for new export objects, and EventBridge "GuardDuty Finding" events
// whose detail is the finding. One message is one unit of work: it is deleted only when every
// record of every object it names is delivered, filtered or dead-lettered. While a message is
// in flight its visibility is extended at half the visibility timeout, so no other replica gets
// it; a message received more than max_receive_count times is left to the queue's redrive
// policy. Replicas share nothing but the queue.

#include <atomic>
#include <condition_variable>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "aws/s3_client.h"
#include "aws/sqs_client.h"
#include "core/duration.h"
#include "core/mutex.h"
#include "sources/source.h"
#include "sources/sqs/envelope.h"

namespace gd2s {

struct SqsSourceOptions {
  std::string queue_url;
  size_t receivers = 2;
  uint32_t max_receive_count = 5;
  std::chrono::seconds wait_time{20};
  /// 0: the queue's own VisibilityTimeout (read at start).
  std::chrono::seconds visibility_timeout{0};
  /// End once the queue is drained (one empty long poll per receiver) and every message taken
  /// is settled: `run --once`.
  bool once = false;
};

/// What the source saw, beyond units: for the summary, metrics and tests.
struct SqsCounters {
  std::atomic<uint64_t> messages{0};
  std::atomic<uint64_t> findings{0};     // EventBridge GuardDuty findings
  std::atomic<uint64_t> objects{0};      // S3 objects named by notifications
  std::atomic<uint64_t> test_events{0};  // s3:TestEvent, deleted
  std::atomic<uint64_t> skipped{0};      // other detail-types and events, deleted
  std::atomic<uint64_t> unknown{0};      // not understood: dead-lettered, left to redrive
  std::atomic<uint64_t> poison{0};       // over max_receive_count: left to redrive
  std::atomic<uint64_t> deleted{0};
  std::atomic<uint64_t> delete_failures{0};
  std::atomic<uint64_t> extensions{0};  // visibility extended
};

class SqsSource final : public Source {
 public:
  SqsSource(SqsSourceOptions options, aws::SqsClient& sqs, aws::S3Client& s3);
  /// Deletes the messages whose units committed after run() returned (while the pipeline
  /// drained), then stops extending visibility.
  ~SqsSource() override;
  SqsSource(const SqsSource&) = delete;
  SqsSource& operator=(const SqsSource&) = delete;

  std::string_view name() const override { return "sqs"; }
  void run(RecordEmitter& out, std::stop_token stop) override;
  SourceTotals totals() const override;
  const SqsCounters& counters() const { return counters_; }
  void write_metrics(MetricsWriter& out) const override;

 private:
  struct InFlight {
    std::string receipt_handle;
    std::chrono::steady_clock::time_point extended_at;
    bool settled = false;  // committed (deleting) or abandoned: no more extensions
  };

  void start_background();
  void receive_loop(RecordEmitter& out, std::stop_token stop);
  void handle(const aws::SqsMessage& message, RecordEmitter& out, std::stop_token stop);
  void read_objects(const UnitPtr& unit, const std::vector<S3ObjectRef>& objects,
                    RecordEmitter& out, std::stop_token stop, const aws::SqsMessage& message);
  void committed(const std::string& message_id) EXCLUDES(mutex_);
  void abandoned(const std::string& message_id, const std::string& why, bool release)
      EXCLUDES(mutex_);
  void extend_loop();
  void delete_loop();
  void remember_failure(const std::string& message_id, const std::string& why) REQUIRES(mutex_);
  /// Stops tracking a message that will be neither processed nor deleted here.
  void forget(const std::string& message_id) EXCLUDES(mutex_);

  SqsSourceOptions options_;
  aws::SqsClient& sqs_;
  aws::S3Client& s3_;
  std::chrono::seconds visibility_{30};
  SqsCounters counters_;

  std::atomic<uint64_t> opened_{0}, committed_{0}, abandoned_{0};

  mutable Mutex mutex_;
  std::condition_variable changed_;
  std::map<std::string, InFlight> in_flight_ GUARDED_BY(mutex_);        // by message id
  std::vector<aws::SqsBatchEntry> to_delete_ GUARDED_BY(mutex_);        // id = message id
  std::map<std::string, std::string> last_failure_ GUARDED_BY(mutex_);  // message id → why, bounded
  bool stopping_ GUARDED_BY(mutex_) = false;
  std::thread extender_, deleter_;
};

}  // namespace gd2s
