#include "state/state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <tuple>

#include "core/time.h"

namespace gd2s {
namespace {

std::string lock_path_for(const std::string& database, StateAccess access) {
  switch (access) {
    case StateAccess::kRun:
      return database + ".lock";
    case StateAccess::kReplay:
      return database + ".replay.lock";
    case StateAccess::kInspect:
      break;
  }
  return "";
}

std::string host_name() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) return "an unknown host";
  return name.data();
}

/// What the holder wrote: "pid 1234 on host h since 2026-12-07T06:50:00Z".
std::string read_holder(int fd) {
  std::array<char, 512> text{};
  ssize_t n = pread(fd, text.data(), text.size() - 1, 0);
  std::string holder(text.data(), n > 0 ? static_cast<size_t>(n) : 0);
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
  return holder;
}

}  // namespace

StateDatabaseLock::StateDatabaseLock(const std::string& database, StateAccess access)
    : path_(lock_path_for(database, access)) {
  if (path_.empty()) return;
  fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw StateError("cannot create the lock file " + path_ + " of state database " + database +
                     ": " + std::strerror(errno) + " (the folder must be writable by gd2sentinel)");
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    std::string holder = error == EWOULDBLOCK ? read_holder(fd_) : "";
    close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK)
      throw StateError("cannot lock " + path_ + " of state database " + database + ": " +
                       std::strerror(error) + " (the state must be on a local file system)");
    std::string who = holder.empty() ? "another gd2sentinel (it has not written its pid yet)"
                                     : "gd2sentinel " + holder;
    if (access == StateAccess::kReplay)
      throw StateInUseError("state database " + database + " is being replayed into by " + who +
                            " (lock file " + path_ + "); run one dead-letters replay at a time");
    throw StateInUseError(
        "state database " + database + " is in use by " + who + " (lock file " + path_ +
        "); run one process per state database (SQS replicas and listing shards: one database "
        "each)");
  }
  std::string holder = "pid " + std::to_string(getpid()) + " on host " + host_name() + " since " +
                       format_iso8601(now_utc()) + "\n";
  // Best effort: the lock holds without it, the error of the one refused is less precise.
  bool written = ftruncate(fd_, 0) == 0 && pwrite(fd_, holder.data(), holder.size(), 0) ==
                                               static_cast<ssize_t>(holder.size());
  if (!written) std::ignore = ftruncate(fd_, 0);  // no half-written line
}

StateDatabaseLock::~StateDatabaseLock() {
  if (fd_ >= 0) close(fd_);  // releases the lock; the file stays for the next holder
}

}  // namespace gd2s
