#pragma once
// Splits a (decompressed) stream into finding records. It recognises, by content:
//   JSON Lines (one finding per line; the S3 export),
//   a JSON array of findings,
//   a {"findings": [...]} / {"Findings": [...]} wrapper (GetFindings responses),
//   a single finding, pretty-printed or not.
// Documents of any size are streamed element by element: memory holds the current record only,
// never the document. A line or element that cannot be a record becomes a ReadProblem; reading
// goes on after it.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/byte_stream.h"
#include "core/dead_letter.h"
#include "decode/bounded_text.h"

namespace gd2s {

struct RawRecord {
  uint64_t line = 0;  // 1-based line (JSON Lines) or element number (arrays)
  std::string text;
};

struct ReadProblem {
  uint64_t line = 0;
  std::string reason;
  std::string original;  // the offending text, or its start when `truncated` says so
  std::optional<TruncatedOriginal> truncated = std::nullopt;
};

using ReadItem = std::variant<RawRecord, ReadProblem>;

struct ReaderLimits {
  /// A record longer than this can never be delivered (the Logs Ingestion API takes 1 MiB per
  /// request), so it becomes a problem rather than a record.
  size_t max_record_bytes = 1024 * 1024;
  /// How much of a text longer than that is kept for its dead letter, besides its length and
  /// SHA-256 ([dead_letter] max_original_bytes).
  size_t max_kept_bytes = 64 * 1024;
};

class RecordReader {
 public:
  explicit RecordReader(ByteStream& in, ReaderLimits limits = {});

  /// The next record or problem; nullopt at the end. Throws StreamError when the bytes
  /// themselves fail (I/O, corrupt or truncated gzip) — items already returned stay valid.
  std::optional<ReadItem> next();

  /// What was held of the line, element or document being read when the stream failed (for
  /// the dead letter; at most max_record_bytes).
  const std::string& pending_text() const { return text_.kept(); }
  /// The line number reading had reached.
  uint64_t line_number() const { return line_no_; }

 private:
  enum class Mode { kStart, kLines, kDocument, kDone };
  /// What a container level of the document expects next.
  enum class Expect : uint8_t { kValue, kValueOrEnd, kKeyOrEnd, kKey, kColon, kCommaOrEnd };
  struct Level {
    char open;  // '{' or '['
    Expect expect;
  };

  bool fill();
  void skip_bom();
  void begin();
  std::optional<ReadItem> next_line();
  bool read_line();
  std::optional<ReadItem> scan();
  std::optional<ReadItem> step();
  std::optional<ReadItem> scan_string();
  std::optional<ReadItem> value_start(char c);
  std::optional<ReadItem> close(char c);
  std::optional<ReadItem> value_done(size_t end);
  std::optional<ReadItem> record_done(size_t end);
  std::optional<ReadItem> lenient_step(char c);
  std::optional<ReadItem> lenient_end();
  std::optional<ReadItem> structure_error(bool raw_newline);
  std::optional<ReadItem> end_of_input();
  Level* current();
  void start_record();
  void flush_capture(size_t end);
  void continue_as_line();
  void read_as_lines_from_record();
  ReadProblem oversize(uint64_t line, std::string what);

  ByteStream& in_;
  ReaderLimits limits_;
  Mode mode_ = Mode::kStart;
  std::string buffer_;
  size_t pos_ = 0;
  bool eof_ = false;
  bool at_input_start_ = true;
  uint64_t line_no_ = 0;  // lines completed
  BoundedText text_;      // the line, element or document being read
  bool line_open_ = false;

  // Document scanning: the structure is checked level by level (up to a depth, beyond which
  // only brackets are counted); only the record being read is held.
  std::vector<Level> levels_;
  uint64_t depth_ = 0;
  bool top_done_ = false;
  bool in_string_ = false;
  bool escaped_ = false;
  bool in_scalar_ = false;
  bool string_is_key_ = false;
  bool lenient_ = false;        // the element is broken: only find its end
  uint64_t records_depth_ = 0;  // 0: the top object is the record; 1: array; 2: wrapper array
  bool in_record_ = false;
  bool capture_ = false;
  size_t capture_from_ = 0;
  uint64_t record_line_ = 0;
  bool newline_in_record_ = false;
  uint64_t element_no_ = 0;
  bool key_open_ = false;  // reading a key of the top object
  std::string key_;
  bool findings_key_ = false;
};

}  // namespace gd2s
