#pragma once
// `native`: the AWSGuardDuty table of Microsoft Sentinel's own AWS connector (REFERENCE §9.4),
// reached through a DCR whose output stream is Microsoft-AWSGuardDuty, so Microsoft's built-in
// content works on our rows too.

#include "transform/schema.h"

namespace gd2s {

class NativeSchema final : public Schema {
 public:
  std::string_view name() const override { return "native"; }
  std::string_view table() const override { return "AWSGuardDuty"; }
  std::string_view input_stream() const override { return "Custom-GuardDutyFinding"; }
  std::span<const Column> columns() const override;
  void write_row(const Finding& finding, const Enrichment& enrichment,
                 std::string& out) const override;
};

}  // namespace gd2s
