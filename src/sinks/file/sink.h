#pragma once
// Writes rows as JSON Lines to a file or to stdout ("-"): for dry runs, pipes and tests.

#include <cstdio>
#include <string>

#include "core/mutex.h"
#include "sinks/sink.h"

namespace gd2s {

class FileSink final : public Sink {
 public:
  /// Opens `path` for appending ("-" is stdout). Throws std::runtime_error.
  explicit FileSink(const std::string& path);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  std::string_view name() const override { return "file"; }
  void send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) override;
  void flush() override {}

 private:
  std::string path_;
  std::FILE* file_ GUARDED_BY(mutex_) = nullptr;  // written by one thread at a time
  bool owned_ = true;
  Mutex mutex_;
};

}  // namespace gd2s
