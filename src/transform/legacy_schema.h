#pragma once
// `legacy`: the flattened AWSGuardDuty_CL table that the Logstash + Data Collector API setup
// produced, so existing queries (type_s, title_s, resource_resourceType_s, ...) keep working
// after the move to the Logs Ingestion API. The flattening rule is in docs/schemas.md.

#include "transform/schema.h"

namespace gd2s {

class LegacySchema final : public Schema {
 public:
  std::string_view name() const override { return "legacy"; }
  std::string_view table() const override { return "AWSGuardDuty_CL"; }
  std::string_view input_stream() const override { return "Custom-GuardDutyLegacy"; }
  std::span<const Column> columns() const override;
  void write_row(const Finding& finding, const Enrichment& enrichment,
                 std::string& out) const override;
};

/// A flattened value as the Data Collector API would name it: "service_count" + "_d".
enum class LegacySuffix { kString, kReal, kBoolean, kDateTime, kGuid };
std::string_view legacy_suffix(LegacySuffix suffix);

/// Names longer than this cannot be columns (workspace limit), so they go to AdditionalFields.
inline constexpr size_t kMaxColumnNameLength = 45;

}  // namespace gd2s
