#pragma once
// Reads one unit's bytes into records for every source alike: gzip by magic bytes, JSON Lines,
// arrays and wrappers, skipping the records an earlier run committed, and sealing the unit.

#include <stop_token>

#include "core/byte_stream.h"
#include "sources/source.h"

namespace gd2s {

/// Emits every record of `unit` after its skipped_records(), then seals it: kComplete at the
/// end, kStopped when `stop` was requested first, kAbandoned on a TransportError (rethrown).
/// A corrupt or truncated stream becomes a dead letter and the unit completes.
void read_unit(const UnitPtr& unit, ByteStream& bytes, RecordEmitter& out, std::stop_token stop);

/// The same for one of several streams of a unit (an SQS message naming several objects),
/// without skipping or sealing: true when the stream was read to its end (or was corrupt and
/// dead-lettered), false when `stop` came first. Throws TransportError.
bool emit_records(const UnitPtr& unit, ByteStream& bytes, RecordEmitter& out, std::stop_token stop,
                  uint64_t skip = 0);

}  // namespace gd2s
