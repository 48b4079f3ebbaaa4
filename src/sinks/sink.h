#pragma once
// Sinks take rows and report, for every row, that it was accepted or rejected. The pipeline
// turns those reports into acknowledgements of the rows' units.

#include <span>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "core/record.h"

namespace gd2s {

class DeliveryReceiver {
 public:
  virtual ~DeliveryReceiver() = default;
  /// The destination has these rows (for HTTP sinks: a 2xx for their request). Their tickets
  /// are as handed over; their JSON may be gone (an HTTP sink keeps only the encoded request).
  virtual void accepted(std::span<OutboundRow> rows) = 0;
  /// The destination refuses this row for good; it goes to the dead letters with `reason`.
  /// `row.json` is the row as it was handed over.
  virtual void rejected(OutboundRow& row, std::string_view reason) = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual std::string_view name() const = 0;
  /// Hands rows over; may block while the sink is busy (back-pressure). Every row is reported
  /// to the receiver exactly once, from any thread, possibly before this returns.
  /// Throws when the sink cannot go on at all (the rows not yet reported stay unacknowledged).
  virtual void send(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) = 0;
  /// Hands rows over to the request being gathered, which goes out when the next row does not
  /// fit, at seal() or at flush(); otherwise as send(). A sink that does not gather sends them
  /// at once (the default).
  virtual void gather(std::vector<OutboundRow> rows, DeliveryReceiver& receiver) {
    send(std::move(rows), receiver);
  }
  /// Sends the request being gathered, full or not. Throws as send() does.
  virtual void seal() {}
  /// Seals the request being gathered, then blocks until every row handed over has been reported,
  /// or, once the sink has stopped for good, until no request is in flight any more (then throws):
  /// when it returns, the sink calls no receiver for the rows handed over so far.
  virtual void flush() = 0;
  /// Stops for good: abandons retries and waits for the requests in flight. Rows not yet
  /// reported stay unreported; after it returns no receiver is called again. Call it before a
  /// receiver goes away. Idempotent.
  virtual void stop() {}
  /// The JSON-array size one request carries, for sinks that cut rows into requests (the
  /// pipeline hands rows over in about that many bytes); 0 when any grouping will do.
  virtual size_t preferred_batch_bytes() const { return 0; }
  /// Writes the sink's own metric families (requests, statuses, retries…); none by default.
  virtual void write_metrics(MetricsWriter& /*out*/) const {}
};

}  // namespace gd2s
