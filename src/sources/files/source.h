#pragma once
// [source.files]: local files and folders (.jsonl, .jsonl.gz, JSON arrays, GetFindings
// responses), or stdin as "-". For replay, tests and the demo. A file committed by an earlier
// run (same size and modification time) is not read again; a half-done one resumes.
//
// Folders are walked recursively, following symbolic links to files and to folders; each folder
// is walked once (by device and inode), so a link back to a folder above it (a loop) or a second
// link to a folder already walked is logged and skipped. An entry that leads nowhere (a dangling
// link, a loop of links, a file deleted while the folder was listed) is logged once and skipped,
// and so is a file that is gone when its turn comes: nothing of it can be delivered, and nothing
// is lost. A folder or file that exists and cannot be read is logged and counted as abandoned,
// so a one-pass run exits 1 after reading everything else.

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

/// What a run will read.
struct FileListing {
  std::vector<std::filesystem::path> files;  // in order: each folder's entries sorted by name
  uint64_t unreadable = 0;                   // folders and entries that exist but cannot be read
};

class FileSource final : public Source {
 public:
  FileSource(FileSourceOptions options, StateStore& state)
      : options_(std::move(options)), state_(state) {}

  std::string_view name() const override { return "files"; }
  /// Lists, then reads what was listed.
  void run(RecordEmitter& out, std::stop_token stop) override;
  SourceTotals totals() const override;

  /// Walks `paths`, logging each entry it skips once. Throws std::runtime_error when an entry
  /// of `paths` itself does not exist or cannot be read.
  FileListing list_files() const;
  /// Reads a listing as run() does; what is unreadable in it counts as abandoned.
  void read(const FileListing& listing, RecordEmitter& out, std::stop_token stop);

 private:
  void read_file(const std::filesystem::path& path, RecordEmitter& out, std::stop_token stop);

  FileSourceOptions options_;
  StateStore& state_;
  std::atomic<uint64_t> opened_{0};
  std::atomic<uint64_t> committed_{0};
  std::atomic<uint64_t> abandoned_{0};
};

}  // namespace gd2s
