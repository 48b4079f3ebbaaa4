#pragma once
// A record that could not be delivered, kept with everything needed to understand and replay it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace gd2s {

/// An original too long to keep whole: the dead letter holds only its start, and this says what
/// the whole was, so that it can be found and checked in its unit. It cannot be replayed.
struct TruncatedOriginal {
  uint64_t bytes = 0;  // the whole original's length
  std::string sha256;  // SHA-256 of the whole original, 64 lowercase hex digits
};

/// Where on the data path the record was given up: its bytes could not be read as a finding,
/// the finding could not be made a row, or the service refused the row.
enum class DeadLetterStage { kDecode, kTransform, kSink };

/// "decode", "transform", "sink": as the dead-letter file writes the stage.
[[nodiscard]] constexpr std::string_view stage_name(DeadLetterStage stage) {
  switch (stage) {
    case DeadLetterStage::kDecode:
      return "decode";
    case DeadLetterStage::kTransform:
      return "transform";
    case DeadLetterStage::kSink:
      return "sink";
  }
  return "sink";
}

[[nodiscard]] constexpr std::optional<DeadLetterStage> parse_stage(std::string_view name) {
  for (DeadLetterStage stage :
       {DeadLetterStage::kDecode, DeadLetterStage::kTransform, DeadLetterStage::kSink})
    if (stage_name(stage) == name) return stage;
  return std::nullopt;
}

struct DeadLetter {
  DeadLetterStage stage = DeadLetterStage::kDecode;
  std::string reason;    // what was wrong, precise enough to act on
  std::string source;    // source kind: "files", "s3_listing", ...
  std::string unit;      // the unit it came from: path, bucket/key, message id
  uint64_t line = 0;     // line (JSON Lines) or element number (JSON arrays), 1-based; 0 if none
  std::string original;  // the record as read (or as sent, for sink rejections), or its start
  Timestamp at{};
  std::optional<TruncatedOriginal> truncated = std::nullopt;  // set when `original` is its start
};

/// Where dead letters go. Writes are durable when write() returns; safe from any thread.
class DeadLetterStore {
 public:
  virtual ~DeadLetterStore() = default;
  virtual void write(const DeadLetter& letter) = 0;
};

}  // namespace gd2s
