#include "sinks/dead_letter_file.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/base64.h"
#include "core/json_writer.h"
#include "core/redaction.h"
#include "core/sha256.h"

namespace gd2s {
namespace {

// `text` without a UTF-8 sequence cut off at its end, so that a cut original stays text.
std::string_view without_partial_tail(std::string_view text) {
  size_t lead = text.size();
  for (size_t back = 0; back < 4 && lead > 0; ++back) {
    --lead;
    auto byte = static_cast<unsigned char>(text[lead]);
    if ((byte & 0xC0) != 0x80) {
      size_t length = byte < 0x80 ? 1 : (byte & 0xE0) == 0xC0 ? 2 : (byte & 0xF0) == 0xE0 ? 3 : 4;
      return lead + length > text.size() ? text.substr(0, lead) : text;
    }
  }
  return text;
}

// Valid UTF-8 whose JSON escapes (six bytes for a control byte such as NUL) cost no more than
// base64's four bytes for three.
bool as_text(std::string_view original) {
  size_t escaped = 0;
  for (char c : original) escaped += static_cast<unsigned char>(c) < 0x20 ? 5 : 0;
  return original.size() + escaped <= (original.size() + 2) / 3 * 4 &&
         simdjson::validate_utf8(original.data(), original.size());
}

}  // namespace

DeadLetterFile::DeadLetterFile(const std::string& path, DeadLetterFileLimits limits)
    : path_(path), limits_(limits) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0 || (file_ = ::fdopen(fd, "a")) == nullptr) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot open dead-letter file " + path + ": " + std::strerror(errno));
  }
}

DeadLetterFile::~DeadLetterFile() {
  if (file_ != nullptr) std::fclose(file_);
}

DeadLetter DeadLetterFile::bounded(const DeadLetter& letter, const DeadLetterFileLimits& limits) {
  DeadLetter out = letter;
  if (letter.original.size() > std::max(limits.max_record_bytes, limits.max_original_bytes)) {
    if (!out.truncated) {
      Sha256 hash;
      hash.update(letter.original);
      out.truncated = TruncatedOriginal{letter.original.size(), hash.hex_digest()};
    }
    out.original.resize(limits.max_original_bytes);
  }
  if (out.truncated) out.original.resize(without_partial_tail(out.original).size());
  return out;
}

std::string DeadLetterFile::to_json(const DeadLetter& letter) {
  std::string out;
  StringSink sink(out);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "time");
  write_string(w, format_iso8601(letter.at));
  write_key(w, "stage");
  write_string(w, stage_name(letter.stage));
  write_key(w, "reason");
  write_string(w, redact(letter.reason));  // an endpoint's answer may echo a credential
  write_key(w, "source");
  write_string(w, letter.source);
  write_key(w, "unit");
  write_string(w, letter.unit);
  write_key(w, "line");
  w.Uint64(letter.line);
  if (as_text(letter.original)) {
    write_key(w, "original");
    write_string(w, letter.original);
  } else {
    write_key(w, "original_base64");
    write_string(w, base64_encode(letter.original));
  }
  if (letter.truncated) {
    write_key(w, "original_truncated");
    w.Bool(true);
    write_key(w, "original_bytes");
    w.Uint64(letter.truncated->bytes);
    write_key(w, "original_sha256");
    write_string(w, letter.truncated->sha256);
  }
  w.EndObject();
  return out;
}

void DeadLetterFile::write(const DeadLetter& letter) {
  std::string line = to_json(bounded(letter, limits_));
  line += '\n';
  MutexLock lock(mutex_);
  struct stat info {};
  if (::fstat(fileno(file_), &info) != 0)
    throw std::runtime_error("cannot write dead letter to " + path_ + ": " + std::strerror(errno));
  auto held = static_cast<uint64_t>(info.st_size);
  if (held + line.size() > limits_.max_file_bytes)
    throw DeadLetterFileFull(
        "the dead-letter file " + path_ + " holds " + std::to_string(held) + " bytes, and the " +
        std::to_string(line.size()) + "-byte dead letter for " + letter.unit + " line " +
        std::to_string(letter.line) + " (" + letter.reason +
        ") would take it past [dead_letter] max_file_bytes = " +
        std::to_string(limits_.max_file_bytes) +
        ": it is not written, so that record's unit stays uncommitted and is read again by the "
        "next run. Look at the dead letters (gd2sentinel dead-letters list), replay what can be "
        "replayed, then move the file aside or raise max_file_bytes");
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0 ||
      ::fdatasync(fileno(file_)) != 0)
    throw std::runtime_error("cannot write dead letter to " + path_ + ": " + std::strerror(errno));
}

}  // namespace gd2s
