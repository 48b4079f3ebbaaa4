#pragma once
// [source.files]: local files and folders (.jsonl, .jsonl.gz, JSON arrays, GetFindings
// responses), or stdin as "-". For replay, tests and the demo. A file committed by an earlier
// run (same size and modification time) is not read again; a half-done one resumes.

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "sources/source.h"
#include "state/state_store.h"

namespace gd2s {

struct FileSourceOptions {
  std::vector<std::string> paths;
  /// File-name globs that pick files inside folders; files named directly are always read.
  std::vector<std::string> include{"*.json", "*.jsonl", "*.ndjson", "*.gz"};
};

class FileSource final : public Source {
 public:
  FileSource(FileSourceOptions options, StateStore& state)
      : options_(std::move(options)), state_(state) {}

  std::string_view name() const override { return "files"; }
  void run(RecordEmitter& out, std::stop_token stop) override;
  SourceTotals totals() const override;

  /// The files a run would read, in order: folders walked recursively, sorted by path.
  std::vector<std::filesystem::path> list_files() const;

 private:
  void read_file(const std::filesystem::path& path, RecordEmitter& out, std::stop_token stop);

  FileSourceOptions options_;
  StateStore& state_;
  std::atomic<uint64_t> opened_{0};
  std::atomic<uint64_t> committed_{0};
  std::atomic<uint64_t> abandoned_{0};
};

}  // namespace gd2s
