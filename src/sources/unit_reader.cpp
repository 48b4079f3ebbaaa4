#include "sources/unit_reader.h"

#include "decode/gunzip.h"

namespace gd2s {

void read_unit(const UnitPtr& unit, ByteStream& bytes, RecordEmitter& out, std::stop_token stop) {
  MaybeGunzipStream content(bytes);
  RecordReader reader(content);
  uint64_t index = 0;
  try {
    while (auto item = reader.next()) {
      if (index++ < unit->skipped_records()) continue;
      if (stop.stop_requested()) {
        unit->seal(UnitOfWork::Ending::kStopped);
        return;
      }
      if (auto* record = std::get_if<RawRecord>(&*item)) {
        out.record(unit, std::move(*record));
      } else {
        out.problem(unit, std::move(std::get<ReadProblem>(*item)));
      }
    }
  } catch (const TransportError&) {
    unit->seal(UnitOfWork::Ending::kAbandoned);
    throw;
  } catch (const StreamError& error) {
    // The bytes themselves are bad: keep what was read, dead-letter the rest with the cause.
    if (index >= unit->skipped_records())
      out.problem(unit, ReadProblem{reader.line_number() + 1, error.what(), reader.pending_text()});
  }
  unit->seal(UnitOfWork::Ending::kComplete);
}

}  // namespace gd2s
