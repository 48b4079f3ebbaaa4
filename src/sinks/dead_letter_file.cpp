#include "sinks/dead_letter_file.h"

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/base64.h"
#include "transform/json_writer.h"

namespace gd2s {

DeadLetterFile::DeadLetterFile(const std::string& path) : path_(path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0 || (file_ = ::fdopen(fd, "a")) == nullptr) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot open dead-letter file " + path + ": " + std::strerror(errno));
  }
}

DeadLetterFile::~DeadLetterFile() {
  if (file_ != nullptr) std::fclose(file_);
}

std::string DeadLetterFile::to_json(const DeadLetter& letter) {
  std::string out;
  StringSink sink(out);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "time");
  write_string(w, format_iso8601(letter.at));
  write_key(w, "stage");
  write_string(w, letter.stage);
  write_key(w, "reason");
  write_string(w, letter.reason);
  write_key(w, "source");
  write_string(w, letter.source);
  write_key(w, "unit");
  write_string(w, letter.unit);
  write_key(w, "line");
  w.Uint64(letter.line);
  if (simdjson::validate_utf8(letter.original.data(), letter.original.size())) {
    write_key(w, "original");
    write_string(w, letter.original);
  } else {
    write_key(w, "original_base64");
    write_string(w, base64_encode(letter.original));
  }
  w.EndObject();
  return out;
}

void DeadLetterFile::write(const DeadLetter& letter) {
  std::string line = to_json(letter);
  line += '\n';
  std::lock_guard lock(mutex_);
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0 ||
      ::fdatasync(fileno(file_)) != 0)
    throw std::runtime_error("cannot write dead letter to " + path_ + ": " + std::strerror(errno));
}

}  // namespace gd2s
