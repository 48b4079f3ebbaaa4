#pragma once
// `check` for [source.guardduty_api]: in each Region, the detectors (configured or listed),
// then ListFindings and GetFindings on each.

#include <memory>
#include <vector>

#include "aws/guardduty_client.h"
#include "core/probe.h"
#include "sources/guardduty_api/config.h"

namespace gd2s {

void probe_guardduty_api(const std::vector<std::unique_ptr<aws::GuardDutyClient>>& clients,
                         const GuardDutyApiConfig& config, ProbeReport& report);

}  // namespace gd2s
