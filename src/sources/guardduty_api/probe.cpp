#include "sources/guardduty_api/probe.h"

#include "aws/operations.h"

namespace gd2s {

void probe_guardduty_api(const std::vector<std::unique_ptr<aws::GuardDutyClient>>& clients,
                         const GuardDutyApiConfig& source, ProbeReport& report) {
  for (const auto& client : clients) {
    std::vector<std::string> detectors = configured_detectors(source, client->region());
    if (detectors.empty()) {
      try {
        detectors = client->all_detectors();
        report.ok(std::string(aws::ops::kListDetectors.iam_action) + " in " + client->region() +
                  " (" + std::to_string(detectors.size()) + " detectors)");
      } catch (const std::exception& error) {
        report.fail(std::string(aws::ops::kListDetectors.iam_action) + " in " + client->region(),
                    error.what());
        continue;
      }
    }
    for (const std::string& detector : detectors) {
      std::string where = " on detector " + detector + " in " + client->region();
      aws::IdPage page;
      try {
        page = client->list_findings(detector, 0);
        report.ok(std::string(aws::ops::kListFindings.iam_action) + where);
      } catch (const std::exception& error) {
        report.fail(std::string(aws::ops::kListFindings.iam_action) + where, error.what());
        continue;
      }
      if (page.ids.empty()) {
        report.skip(std::string(aws::ops::kGetFindings.iam_action) + where, "no finding to read");
        continue;
      }
      try {
        client->get_findings(detector, {page.ids.front()});
        report.ok(std::string(aws::ops::kGetFindings.iam_action) + where);
      } catch (const std::exception& error) {
        report.fail(std::string(aws::ops::kGetFindings.iam_action) + where, error.what());
      }
    }
  }
}

}  // namespace gd2s
