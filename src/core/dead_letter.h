#pragma once
// A record that could not be delivered, kept with everything needed to understand and replay it.

#include <cstdint>
#include <string>

#include "core/time.h"

namespace gd2s {

struct DeadLetter {
  std::string stage;     // "decode", "transform" or "sink"
  std::string reason;    // what was wrong, precise enough to act on
  std::string source;    // source kind: "files", "s3_listing", ...
  std::string unit;      // the unit it came from: path, bucket/key, message id
  uint64_t line = 0;     // line (JSON Lines) or element number (JSON arrays), 1-based; 0 if none
  std::string original;  // the record as read (or as sent, for sink rejections)
  Timestamp at{};
};

/// Where dead letters go. Writes are durable when write() returns; safe from any thread.
class DeadLetterStore {
 public:
  virtual ~DeadLetterStore() = default;
  virtual void write(const DeadLetter& letter) = 0;
};

}  // namespace gd2s
