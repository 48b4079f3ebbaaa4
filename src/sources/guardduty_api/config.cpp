#include "sources/guardduty_api/config.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace gd2s {
namespace {

constexpr OptionDoc kOptions[] = {
    {"regions", "list", "(required)"},
    {"detector_ids", "list", "`[]` (ListDetectors in each Region)"},
    {"since", R"(date `"YYYY-MM-DD"`)", "90 days before now"},
    {"interval", "duration", R"(`"5m"`)"},
    {"lookback", "duration, 0s–24h", R"(`"5m"`)"},
};

bool is_region(std::string_view text) {
  return text.size() >= 4 && text.find('-') != std::string_view::npos &&
         text.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

bool is_detector_id(std::string_view text) {
  return !text.empty() && text.size() <= 300 && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c));
  });
}

// detector_ids: "ID" with one Region, "REGION/ID" with any; with them, every Region needs one.
void check_detector_ids(TableReader& r, const GuardDutyApiConfig& api) {
  std::set<std::string> covered;
  for (const std::string& entry : api.detector_ids) {
    size_t slash = entry.find('/');
    std::string region = slash == std::string::npos ? "" : entry.substr(0, slash);
    std::string id = slash == std::string::npos ? entry : entry.substr(slash + 1);
    if (!is_detector_id(id)) {
      r.issue("detector_ids", "\"" + entry +
                                  "\" is not a detector id (letters and digits, e.g. "
                                  "\"12abc34d567e8fa901bc2d34e56789f0\")");
    } else if (region.empty() && api.regions.size() > 1) {
      r.issue("detector_ids", "\"" + entry +
                                  "\" names no Region; with several regions write "
                                  "\"REGION/" +
                                  entry + "\"");
    } else if (!region.empty() &&
               std::find(api.regions.begin(), api.regions.end(), region) == api.regions.end()) {
      r.issue("detector_ids",
              "\"" + entry + "\" is in " + region + ", which regions does not list");
    } else {
      covered.insert(region.empty() && !api.regions.empty() ? api.regions.front() : region);
    }
  }
  if (api.detector_ids.empty()) return;
  for (const std::string& region : api.regions)
    if (!covered.contains(region))
      r.issue("detector_ids", "names no detector in " + region +
                                  "; list one for every Region, or leave detector_ids out to use "
                                  "ListDetectors");
}

}  // namespace

std::span<const OptionDoc> guardduty_api_options() {
  return kOptions;
}

void read_guardduty_api_config(TableReader& r, GuardDutyApiConfig& api) {
  r.read("regions", api.regions);
  r.read("detector_ids", api.detector_ids);
  r.read("since", api.since);
  r.read("interval", api.interval);
  r.read("lookback", api.lookback);
  if (api.regions.empty())
    r.issue("regions", "is required: the Regions whose detectors to read, e.g. [\"eu-west-1\"]");
  std::set<std::string> seen;
  for (const std::string& region : api.regions) {
    if (!is_region(region))
      r.issue("regions", "\"" + region + "\" is not an AWS Region such as \"eu-west-1\"");
    else if (!seen.insert(region).second)
      r.issue("regions", "names " + region + " twice");
  }
  check_detector_ids(r, api);
  if (!api.since.empty() && !is_date(api.since))
    r.issue("since", "must be a date such as \"2026-01-01\", not \"" + api.since + "\"");
  if (api.interval < std::chrono::seconds(1)) r.issue("interval", "must be at least 1s");
  if (api.lookback.count() < 0 || api.lookback > std::chrono::hours(24))
    r.issue("lookback", "must be between 0s and 24h");
}

std::vector<std::string> configured_detectors(const GuardDutyApiConfig& config,
                                              const std::string& region) {
  std::vector<std::string> detectors;
  for (const std::string& id : config.detector_ids) {
    size_t slash = id.find('/');
    if (slash == std::string::npos)
      detectors.push_back(id);
    else if (id.substr(0, slash) == region)
      detectors.push_back(id.substr(slash + 1));
  }
  return detectors;
}

}  // namespace gd2s
