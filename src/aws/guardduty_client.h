#pragma once
// The GuardDuty API calls gd2sentinel makes, on the REST-JSON protocol (REFERENCE.md §5.3):
// ListDetectors, ListFindings (updatedAt at or after a time, oldest first) and GetFindings.
// One client serves one Region: SigV4 scopes a signature to it.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/endpoints.h"
#include "aws/operations.h"
#include "aws/service_call.h"
#include "http/http_client.h"
#include "http/retry.h"

namespace gd2s::aws {

/// GuardDuty's limit on maxResults and on the finding ids of one GetFindings call.
inline constexpr int kGuardDutyPageSize = 50;

/// Whether a GuardDuty refusal says the detector named in the request is not (or no longer)
/// one of this account and Region.
bool detector_not_found(const ServiceError& error);

struct GuardDutySettings {
  std::string region;
  EndpointOverrides endpoints;  // reached at resolve_endpoint("guardduty", region, endpoints)
  http::Backoff backoff;        // throttling, 5xx and connection errors
};

/// One page of ids, and the token for the next page (empty on the last).
struct IdPage {
  std::vector<std::string> ids;
  std::string next_token;
};

/// One finding of a GetFindings answer: its JSON exactly as GuardDuty sent it, and updatedAt
/// in epoch milliseconds (absent when the finding has none that parses).
struct ApiFinding {
  std::string id;
  std::string json;
  std::optional<int64_t> updated_at_ms;
};

class GuardDutyClient {
 public:
  GuardDutyClient(http::HttpClientPtr http, CredentialProviderPtr credentials,
                  GuardDutySettings settings);

  const std::string& region() const { return channel_.region(); }

  /// ListDetectors, one page. Throws ServiceError, http::HttpError.
  IdPage list_detectors(const std::string& next_token = "", std::stop_token stop = {});
  /// Every page of ListDetectors.
  std::vector<std::string> all_detectors(std::stop_token stop = {});
  /// ListFindings of `detector_id` whose updatedAt >= `updated_since_ms` (epoch ms; the Long
  /// operator greaterThanOrEqual), oldest first, up to 50 ids.
  IdPage list_findings(const std::string& detector_id, int64_t updated_since_ms,
                       const std::string& next_token = "", std::stop_token stop = {});
  /// GetFindings for up to 50 ids, oldest first. Ids GuardDuty no longer has are left out.
  std::vector<ApiFinding> get_findings(const std::string& detector_id,
                                       const std::vector<std::string>& finding_ids,
                                       std::stop_token stop = {});

 private:
  // One signed call with retries; returns the JSON answer body. `detector_id` names the
  // detector in errors (empty for ListDetectors).
  std::string call(const Operation& operation, const std::string& method, const std::string& path,
                   const std::string& query, const std::string& json_body,
                   const std::string& detector_id, std::stop_token stop);

  ServiceChannel channel_;
};

/// The error code of a GuardDuty answer: x-amzn-ErrorType, else the body's __type (a
/// "prefix#" and a ":suffix" stripped from either), else empty.
std::string guardduty_error_code(const http::Response& response);

/// A non-2xx GuardDuty answer → a ServiceError naming the operation, the detector and the
/// Region, with the fix for the common causes.
ServiceError guardduty_error(const http::Response& response, const Operation& operation,
                             const std::string& region, const std::string& detector_id);

/// The JSON bodies the client sends, for tests and for reading alongside REFERENCE.md §5.3.
std::string list_findings_body(int64_t updated_since_ms, const std::string& next_token);
std::string get_findings_body(const std::vector<std::string>& finding_ids);

}  // namespace gd2s::aws
