#include "sources/file_source.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "decode/byte_stream.h"
#include "sources/unit_reader.h"
#include "transform/finding_type.h"

namespace gd2s {

namespace fs = std::filesystem;

std::vector<fs::path> FileSource::list_files() const {
  std::vector<fs::path> files;
  for (const std::string& entry : options_.paths) {
    if (entry == "-") {
      files.emplace_back("-");
      continue;
    }
    fs::path path(entry);
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> found;
      for (const auto& item : fs::recursive_directory_iterator(
               path, fs::directory_options::skip_permission_denied, ec)) {
        if (!item.is_regular_file()) continue;
        std::string name = item.path().filename().string();
        bool wanted = std::any_of(options_.include.begin(), options_.include.end(),
                                  [&](const std::string& glob) { return glob_match(glob, name); });
        if (wanted) found.push_back(item.path());
      }
      if (ec) throw std::runtime_error("cannot list " + entry + ": " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      throw std::runtime_error("source.files: " + entry + " does not exist");
    }
  }
  return files;
}

void FileSource::run(RecordEmitter& out, std::stop_token stop) {
  for (const fs::path& path : list_files()) {
    if (stop.stop_requested()) return;
    read_file(path, out, stop);
  }
}

void FileSource::read_file(const fs::path& path, RecordEmitter& out, std::stop_token stop) {
  bool is_stdin = path == "-";
  std::string key = is_stdin ? "-" : fs::absolute(path).lexically_normal().string();
  std::string version;
  uint64_t size = 0;
  uint64_t skip = 0;
  if (!is_stdin) {
    std::error_code ec;
    size = fs::file_size(path, ec);
    auto mtime = fs::last_write_time(path, ec).time_since_epoch().count();
    version = std::to_string(size) + ":" + std::to_string(mtime);
    if (auto cp = state_.checkpoint(name(), key); cp && cp->version == version) {
      if (cp->status == CheckpointStatus::kDone) {
        spdlog::debug("{}: committed by an earlier run, skipped", key);
        return;
      }
      skip = cp->records_committed;
      spdlog::info("{}: resuming after {} committed records", key, skip);
    }
  }
  auto commit = [this, key, version, size, is_stdin](const UnitOfWork& unit,
                                                     UnitOfWork::Ending ending) {
    uint64_t records = unit.skipped_records() + unit.counts().emitted;
    bool done = ending == UnitOfWork::Ending::kComplete;
    if (!is_stdin) {
      state_.save_checkpoint(UnitCheckpoint{
          std::string(name()), key, version, size,
          done ? CheckpointStatus::kDone : CheckpointStatus::kPartial, records, now_utc()});
    }
    committed_.fetch_add(1);
    spdlog::debug("{}: committed {} records{}", key, records, done ? "" : " (stopped early)");
  };
  auto unit = std::make_shared<UnitOfWork>(std::string(name()), key, skip, commit);
  opened_.fetch_add(1);
  try {
    FileByteStream bytes(path.string());
    read_unit(unit, bytes, out, stop);
  } catch (const StreamError& error) {  // cannot open or read the file (TransportError too)
    unit->seal(UnitOfWork::Ending::kAbandoned);
    abandoned_.fetch_add(1);
    spdlog::error("{}: {}; the file will be read again on the next run", key, error.what());
  }
}

SourceTotals FileSource::totals() const {
  return SourceTotals{opened_.load(), committed_.load(), abandoned_.load()};
}

}  // namespace gd2s
