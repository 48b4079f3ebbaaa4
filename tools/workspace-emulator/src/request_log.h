// The most recent requests the emulator answered, for tests and the demo
// (GET /_emulator/requests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "thread_annotations.h"

namespace wsemu {

struct RequestRecord {
  std::string time;      // ISO 8601, when the answer was sent
  std::string endpoint;  // token, imds, logs_ingestion, data_collector, arm
  std::string method;
  std::string path;
  int status = 0;
  std::size_t request_bytes = 0;  // body as received (compressed if gzip)
  std::size_t body_bytes = 0;     // body after decompression
  std::string client_request_id;
  std::string request_id;
  std::string error_code;
  std::string fault;  // the injected fault, if any
  std::string table;  // where rows went
  std::int64_t rows = 0;
  double duration_ms = 0;
};

class RequestLog {
 public:
  explicit RequestLog(std::size_t capacity) : capacity_(capacity) {}

  void add(RequestRecord record);
  /// JSON array, oldest first; `endpoint` filters when not empty; `limit` 0 = all kept.
  std::string to_json(const std::string& endpoint, std::size_t limit);
  void clear();

 private:
  std::size_t capacity_;
  Mutex mutex_;
  std::deque<RequestRecord> records_ GUARDED_BY(mutex_);
};

}  // namespace wsemu
