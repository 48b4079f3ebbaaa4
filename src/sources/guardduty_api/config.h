#pragma once
// [source.guardduty_api]: findings from the GuardDuty API (ListFindings/GetFindings).

#include <span>
#include <string>
#include <vector>

#include "core/config_reader.h"
#include "core/duration.h"

namespace gd2s {

struct GuardDutyApiConfig {
  std::vector<std::string> regions;
  std::vector<std::string> detector_ids;  // "ID" (one Region) or "REGION/ID"; empty: ListDetectors
  std::string since;                      // "YYYY-MM-DD"; empty: 90 days before now
  Duration interval = std::chrono::minutes(5);
  Duration lookback = std::chrono::minutes(5);
};

/// The keys of [source.guardduty_api], as docs/configuration.md documents them.
std::span<const OptionDoc> guardduty_api_options();
void read_guardduty_api_config(TableReader& reader, GuardDutyApiConfig& config);

/// The detectors `config` names for `region` ("ID" with one Region, "REGION/ID" with any);
/// empty: find them with ListDetectors.
std::vector<std::string> configured_detectors(const GuardDutyApiConfig& config,
                                              const std::string& region);

}  // namespace gd2s
