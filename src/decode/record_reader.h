#pragma once
// Splits a (decompressed) stream into finding records. It recognises, by content:
//   JSON Lines (one finding per line; the S3 export),
//   a JSON array of findings,
//   a {"findings": [...]} / {"Findings": [...]} wrapper (GetFindings responses),
//   a single finding, pretty-printed or not.
// A line or element that cannot be a record becomes a ReadProblem; reading goes on after it.

#include <simdjson.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <variant>

#include "decode/byte_stream.h"

namespace gd2s {

struct RawRecord {
  uint64_t line = 0;  // 1-based line (JSON Lines) or element number (arrays)
  std::string text;
};

struct ReadProblem {
  uint64_t line = 0;
  std::string reason;
  std::string original;  // the offending text, as much of it as was kept
};

using ReadItem = std::variant<RawRecord, ReadProblem>;

struct ReaderLimits {
  /// A record longer than this can never be delivered (the Logs Ingestion API takes 1 MiB per
  /// request), so it becomes a problem rather than a record.
  size_t max_record_bytes = 1024 * 1024;
  /// How much of an oversize line is kept for the dead letter.
  size_t max_kept_bytes = 16 * 1024 * 1024;
  /// Whole-document inputs (arrays, wrappers, pretty-printed findings) are parsed in memory.
  size_t max_document_bytes = 64 * 1024 * 1024;
};

class RecordReader {
 public:
  explicit RecordReader(ByteStream& in, ReaderLimits limits = {});

  /// The next record or problem; nullopt at the end. Throws StreamError when the bytes
  /// themselves fail (I/O, corrupt or truncated gzip) — items already returned stay valid.
  std::optional<ReadItem> next();

  /// The incomplete last line when the stream failed mid-line (for the dead letter).
  const std::string& pending_text() const { return line_; }
  /// The line number reading had reached.
  uint64_t line_number() const { return line_no_; }

 private:
  enum class Mode { kUnknown, kLines, kQueued, kDone };

  bool read_line(std::string& out, bool& oversize);
  bool fill();
  void start();
  void read_document(std::string first_line);
  void expand_document(const simdjson::dom::element& root, const std::string& text);
  std::string oversize_reason() const;

  ByteStream& in_;
  ReaderLimits limits_;
  Mode mode_ = Mode::kUnknown;
  std::string buffer_;
  size_t buffer_pos_ = 0;
  bool eof_ = false;
  std::string line_;
  uint64_t line_no_ = 0;
  std::deque<ReadItem> queued_;
  simdjson::dom::parser parser_;
};

}  // namespace gd2s
