#include "sources/files/source.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "core/byte_stream.h"
#include "sources/unit_reader.h"
#include "transform/finding_type.h"

namespace gd2s {

namespace fs = std::filesystem;

namespace {

struct FolderId {
  dev_t device;
  ino_t inode;
  auto operator<=>(const FolderId&) const = default;
};

/// Walks folders depth first, each folder's entries sorted by name, each folder once.
class FolderWalk {
 public:
  FolderWalk(const std::vector<std::string>& include, FileListing& listing)
      : include_(include), listing_(listing) {}

  void walk(const fs::path& folder, const struct stat& info) {
    FolderId id{info.st_dev, info.st_ino};
    auto ancestor = std::find_if(ancestors_.begin(), ancestors_.end(),
                                 [&](const auto& a) { return a.first == id; });
    if (ancestor != ancestors_.end())
      return skip(folder, "a symbolic link loop back to " + ancestor->second.string());
    if (auto it = walked_.find(id); it != walked_.end())
      return skip(folder, "the same folder as " + it->second.string() + ", read there");
    walked_.emplace(id, folder);

    std::vector<fs::path> entries;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
      entries.push_back(it->path());
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory)
      return skip(folder, "gone since its parent was listed");
    if (ec)
      unreadable(folder, "cannot list the folder (" + ec.message() + ")" +
                             (entries.empty() ? "" : "; the entries listed before are read"));
    std::sort(entries.begin(), entries.end());
    ancestors_.emplace_back(id, folder);
    for (const fs::path& entry : entries) visit(entry);
    ancestors_.pop_back();
  }

 private:
  void visit(const fs::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return vanished_or_unreadable(path, errno);
    if (S_ISDIR(info.st_mode)) return walk(path, info);
    std::string name = path.filename().string();
    bool wanted = std::any_of(include_.begin(), include_.end(),
                              [&](const std::string& glob) { return glob_match(glob, name); });
    if (!wanted) return;
    if (!S_ISREG(info.st_mode)) return skip(path, "not a regular file (a FIFO, socket or device)");
    listing_.files.push_back(path);
  }

  void vanished_or_unreadable(const fs::path& path, int error) {
    struct stat link {};
    bool is_link = ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode);
    if (error == ELOOP) return skip(path, "a loop of symbolic links");
    if (error == ENOENT || error == ENOTDIR) {
      if (!is_link) return skip(path, "gone since its folder was listed");
      std::error_code ec;
      return skip(path, "a symbolic link to " + fs::read_symlink(path, ec).string() +
                            ", which does not exist");
    }
    unreadable(path, std::strerror(error));
  }

  static void skip(const fs::path& path, const std::string& why) {
    spdlog::warn("source.files: {}: {}; skipped", path.string(), why);
  }
  void unreadable(const fs::path& path, const std::string& why) {
    ++listing_.unreadable;
    spdlog::error("source.files: {}: {}; not read, so the run will exit 1 (read again next run)",
                  path.string(), why);
  }

  const std::vector<std::string>& include_;
  FileListing& listing_;
  std::map<FolderId, fs::path> walked_;
  std::vector<std::pair<FolderId, fs::path>> ancestors_;  // the folders above the current one
};

}  // namespace

FileListing FileSource::list_files() const {
  FileListing listing;
  FolderWalk walk(options_.include, listing);
  for (const std::string& entry : options_.paths) {
    if (entry == "-") {
      listing.files.emplace_back("-");
      continue;
    }
    struct stat info {};
    if (::stat(entry.c_str(), &info) != 0) {
      int error = errno;
      if (error == ENOENT) throw std::runtime_error("source.files: " + entry + " does not exist");
      throw std::runtime_error("source.files: cannot read " + entry + ": " + std::strerror(error));
    }
    if (S_ISDIR(info.st_mode))
      walk.walk(entry, info);
    else
      listing.files.emplace_back(entry);  // named directly: read whatever it is
  }
  return listing;
}

void FileSource::run(RecordEmitter& out, std::stop_token stop) {
  read(list_files(), out, stop);
}

void FileSource::read(const FileListing& listing, RecordEmitter& out, std::stop_token stop) {
  // An unreadable folder or entry is a unit that could not be read: the run ends with exit 1.
  opened_.fetch_add(listing.unreadable);
  abandoned_.fetch_add(listing.unreadable);
  for (const fs::path& path : listing.files) {
    if (stop.stop_requested()) return;
    read_file(path, out, stop);
  }
}

void FileSource::read_file(const fs::path& path, RecordEmitter& out, std::stop_token stop) {
  bool is_stdin = path == "-";
  std::string key = is_stdin ? "-" : fs::absolute(path).lexically_normal().string();
  std::unique_ptr<FileByteStream> bytes;
  std::string open_error;
  try {
    bytes = std::make_unique<FileByteStream>(path.string());
  } catch (const StreamError& error) {
    struct stat info {};
    if (!is_stdin && ::stat(path.c_str(), &info) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
      // Deleted or moved since the listing: nothing to deliver, nothing to commit. Should it
      // come back, the next run reads it.
      spdlog::warn("source.files: {}: gone since its folder was listed; skipped", key);
      return;
    }
    open_error = error.what();
  }
  std::string version;
  uint64_t size = 0;
  uint64_t skip = 0;
  if (!is_stdin && bytes) {
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
    if (!bytes) throw StreamError(open_error);
    read_unit(unit, *bytes, out, stop);
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
