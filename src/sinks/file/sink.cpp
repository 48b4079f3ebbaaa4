#include "sinks/file/sink.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace gd2s {

FileSink::FileSink(const std::string& path) : path_(path) {
  if (path == "-") {
    file_ = stdout;
    owned_ = false;
    return;
  }
  file_ = std::fopen(path.c_str(), "a+b");
  if (file_ == nullptr)
    throw std::runtime_error("cannot open sink file " + path + ": " + std::strerror(errno));
  // A process killed mid-write leaves a torn last line; start on a fresh line so the next row
  // is not glued to it. (Its record was never acknowledged, so it is written again.)
  if (std::fseek(file_, -1, SEEK_END) == 0 && std::fgetc(file_) != '\n') {
    std::fseek(file_, 0, SEEK_END);
    std::fputc('\n', file_);
  }
  std::fseek(file_, 0, SEEK_END);
}

FileSink::~FileSink() {
  if (owned_ && file_ != nullptr) std::fclose(file_);
}

void FileSink::send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) {
  {
    MutexLock lock(mutex_);
    for (const OutboundRow& row : rows) {
      if (std::fwrite(row.json.data(), 1, row.json.size(), file_) != row.json.size() ||
          std::fputc('\n', file_) == EOF)
        throw std::runtime_error("cannot write to " + path_ + ": " + std::strerror(errno));
    }
    // Rows are acknowledged only once they are on disk (or handed to the reader of a pipe).
    if (std::fflush(file_) != 0)
      throw std::runtime_error("cannot write to " + path_ + ": " + std::strerror(errno));
    if (owned_ && ::fdatasync(fileno(file_)) != 0 && errno != EINVAL)
      throw std::runtime_error("cannot sync " + path_ + ": " + std::strerror(errno));
  }
  receiver.accepted(rows);
}

}  // namespace gd2s
