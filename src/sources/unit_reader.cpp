#include "sources/unit_reader.h"

#include "decode/gunzip.h"

namespace gd2s {

bool emit_records(const UnitPtr& unit, ByteStream& bytes, RecordEmitter& out, std::stop_token stop,
                  uint64_t skip) {
  MaybeGunzipStream content(bytes);
  RecordReader reader(content, out.reader_limits());
  uint64_t index = 0;
  try {
    while (auto item = reader.next()) {
      if (index++ < skip) continue;
      if (stop.stop_requested()) return false;
      if (auto* record = std::get_if<RawRecord>(&*item)) {
        out.record(unit, std::move(*record));
      } else {
        out.problem(unit, std::move(std::get<ReadProblem>(*item)));
      }
    }
  } catch (const TransportError&) {
    throw;
  } catch (const StreamError& error) {
    // The bytes themselves are bad: keep what was read, dead-letter the rest with the cause.
    if (index >= skip)
      out.problem(unit, ReadProblem{reader.line_number() + 1, error.what(), reader.pending_text()});
  }
  return true;
}

void read_unit(const UnitPtr& unit, ByteStream& bytes, RecordEmitter& out, std::stop_token stop) {
  bool complete = false;
  try {
    complete = emit_records(unit, bytes, out, stop, unit->skipped_records());
  } catch (const TransportError&) {
    unit->seal(UnitOfWork::Ending::kAbandoned);
    throw;
  }
  unit->seal(complete ? UnitOfWork::Ending::kComplete : UnitOfWork::Ending::kStopped);
}

}  // namespace gd2s
