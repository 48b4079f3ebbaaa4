#pragma once
// What travels with a record from its source to the sink: the unit it must acknowledge, and
// what is needed to dead-letter it, dedupe it and count it.

#include <cstdint>
#include <optional>
#include <string>

#include "core/finding.h"
#include "core/unit_of_work.h"

namespace gd2s {

struct RecordTicket {
  UnitPtr unit;
  uint64_t line = 0;
  std::optional<FindingVersion> version;  // set when dedupe reserved it
  double severity = 0;
  std::string type;
};

/// One row on its way to a sink.
struct OutboundRow {
  std::string json;
  RecordTicket ticket;
};

}  // namespace gd2s
