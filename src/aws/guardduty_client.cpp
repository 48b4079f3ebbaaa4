#include "aws/guardduty_client.h"

#include <simdjson.h>

#include <algorithm>
#include <functional>

#include "aws/error_text.h"
#include "aws/sigv4.h"
#include "core/json_writer.h"
#include "core/time.h"

namespace gd2s::aws {
namespace {

constexpr const char* kJsonContentType = "application/json";

struct ErrorAnswer {
  std::string code;
  std::string message;
};

ErrorAnswer parse_error(const http::Response& response) {
  ErrorAnswer answer;
  answer.code = bare_error_code(response.header("x-amzn-ErrorType"));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (!parser.parse(response.body).get(doc) && doc.is_object()) {
    std::string_view text;
    if (answer.code.empty() && !doc["__type"].get(text)) answer.code = bare_error_code(text);
    if (!doc["message"].get(text) || !doc["Message"].get(text)) answer.message = std::string(text);
  }
  return answer;
}

std::string resource_of(const Operation& operation, const std::string& region,
                        const std::string& detector_id) {
  if (operation.resource == IamResource::kAllResources)
    return "\"*\" (the action takes no resource ARN)";
  return "arn:aws:guardduty:" + region + ":ACCOUNT:detector/" +
         (detector_id.empty() ? "*" : detector_id);
}

bool names_detector(std::string_view message) {
  return message.find("detectorId") != std::string_view::npos ||
         message.find("detector") != std::string_view::npos;
}

std::string hint(const ErrorAnswer& error, const Operation& operation, const std::string& region,
                 const std::string& detector_id) {
  if (is_one_of(error.code, {"AccessDenied", "AccessDeniedException"}))
    return ": the identity needs " + std::string(operation.iam_action) + " on " +
           resource_of(operation, region, detector_id) +
           " (an IAM policy statement; and no Deny in an SCP or permission boundary)";
  if (is_one_of(error.code, {"BadRequestException", "InvalidInputException"}) &&
      !detector_id.empty() && names_detector(error.message))
    return ": the detector is not one of this account in " + region +
           " (deleted, or a wrong detector_ids entry); `aws guardduty list-detectors --region " +
           region + "` shows the current one";
  if (is_one_of(error.code,
                {"UnrecognizedClientException", "InvalidSignatureException",
                 "IncompleteSignatureException", "MissingAuthenticationTokenException",
                 "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredTokenException",
                 "ExpiredToken", "MissingAuthenticationToken", "IncompleteSignature"}))
    return ": the AWS credentials are wrong or expired, the signing Region is not " + region +
           ", or the clock is more than 15 minutes off";
  if (is_one_of(error.code, {"TooManyRequestsException", "ThrottlingException", "Throttling"}))
    return ": GuardDuty is throttling; requests back off and retry";
  if (error.code == "SubscriptionRequiredException" || error.code == "OptInRequired")
    return ": GuardDuty is not available to this account in " + region;
  return "";
}

bool is_retryable(const http::Response& response) {
  if (http::is_retryable_status(response.status)) return true;
  if (response.status < 400 || response.status >= 500) return false;
  return is_one_of(parse_error(response).code,
                   {"TooManyRequestsException", "ThrottlingException", "Throttling"});
}

void write_sort_oldest_first(JsonWriter& w) {
  write_key(w, "sortCriteria");
  w.StartObject();
  write_key(w, "attributeName");
  write_string(w, "updatedAt");
  write_key(w, "orderBy");
  write_string(w, "ASC");
  w.EndObject();
}

simdjson::dom::element parse_answer(simdjson::dom::parser& parser, const std::string& body,
                                    const Operation& operation, const std::string& where) {
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) || !doc.is_object())
    throw ServiceError(
        AwsService::kGuardDuty, 200, "MalformedResponse",
        std::string(operation.api) + " " + where + " returned a body that is not a JSON object");
  return doc;
}

IdPage id_page(simdjson::dom::element doc, const char* member) {
  IdPage page;
  simdjson::dom::array ids;
  if (!doc[member].get(ids))
    for (simdjson::dom::element id : ids) {
      std::string_view text;
      if (!id.get(text)) page.ids.emplace_back(text);
    }
  std::string_view token;
  if (!doc["nextToken"].get(token)) page.next_token = std::string(token);
  return page;
}

std::string where_of(const std::string& region, const std::string& detector_id) {
  return detector_id.empty() ? "in " + region : "on detector " + detector_id + " in " + region;
}

}  // namespace

bool detector_not_found(const ServiceError& error) {
  return error.service() == AwsService::kGuardDuty &&
         is_one_of(error.code(), {"BadRequestException", "InvalidInputException"}) &&
         names_detector(error.service_message());
}

std::string list_findings_body(int64_t updated_since_ms, const std::string& next_token) {
  return json_object([&](JsonWriter& w) {
    write_key(w, "findingCriteria");
    w.StartObject();
    write_key(w, "criterion");
    w.StartObject();
    write_key(w, "updatedAt");
    w.StartObject();
    write_key(w, "greaterThanOrEqual");  // Long: epoch ms do not fit gte's Integer
    w.Int64(updated_since_ms);
    w.EndObject();
    w.EndObject();
    w.EndObject();
    write_sort_oldest_first(w);
    write_key(w, "maxResults");
    w.Int(kGuardDutyPageSize);
    if (!next_token.empty()) {
      write_key(w, "nextToken");
      write_string(w, next_token);
    }
  });
}

std::string get_findings_body(const std::vector<std::string>& finding_ids) {
  return json_object([&](JsonWriter& w) {
    write_key(w, "findingIds");
    w.StartArray();
    for (const std::string& id : finding_ids) write_string(w, id);
    w.EndArray();
    write_sort_oldest_first(w);
  });
}

GuardDutyClient::GuardDutyClient(http::HttpClientPtr http, CredentialProviderPtr credentials,
                                 GuardDutySettings settings)
    : channel_(AwsService::kGuardDuty, std::move(http), std::move(credentials), settings.region,
               settings.endpoints, settings.backoff) {}

std::string GuardDutyClient::call(const Operation& operation, const std::string& method,
                                  const std::string& path, const std::string& query,
                                  const std::string& json_body, const std::string& detector_id,
                                  std::stop_token stop) {
  std::vector<Header> headers;
  if (method != "GET") headers.emplace_back("Content-Type", kJsonContentType);
  ServiceRequest request{method, channel_.endpoint() + path, query, std::move(headers), json_body,
                         {}};
  http::Response response = channel_.send(
      request, stop, std::string(operation.api) + " " + where_of(region(), detector_id),
      is_retryable);
  if (response.status == 200) return std::move(response.body);
  throw guardduty_error(response, operation, region(), detector_id);
}

IdPage GuardDutyClient::list_detectors(const std::string& next_token, std::stop_token stop) {
  std::string query = "maxResults=" + std::to_string(kGuardDutyPageSize);
  if (!next_token.empty()) query += "&nextToken=" + uri_encode(next_token, false);
  std::string answer = call(ops::kListDetectors, "GET", "/detector", query, "", "", stop);
  simdjson::dom::parser parser;
  return id_page(parse_answer(parser, answer, ops::kListDetectors, "in " + region()),
                 "detectorIds");
}

std::vector<std::string> GuardDutyClient::all_detectors(std::stop_token stop) {
  std::vector<std::string> detectors;
  std::string token;
  do {
    IdPage page = list_detectors(token, stop);
    detectors.insert(detectors.end(), page.ids.begin(), page.ids.end());
    token = page.next_token;
  } while (!token.empty() && !stop.stop_requested());
  return detectors;
}

IdPage GuardDutyClient::list_findings(const std::string& detector_id, int64_t updated_since_ms,
                                      const std::string& next_token, std::stop_token stop) {
  std::string answer =
      call(ops::kListFindings, "POST", "/detector/" + uri_encode(detector_id, false) + "/findings",
           "", list_findings_body(updated_since_ms, next_token), detector_id, stop);
  simdjson::dom::parser parser;
  return id_page(parse_answer(parser, answer, ops::kListFindings, where_of(region(), detector_id)),
                 "findingIds");
}

std::vector<ApiFinding> GuardDutyClient::get_findings(const std::string& detector_id,
                                                      const std::vector<std::string>& finding_ids,
                                                      std::stop_token stop) {
  std::vector<ApiFinding> findings;
  for (size_t first = 0; first < finding_ids.size(); first += kGuardDutyPageSize) {
    std::vector<std::string> chunk(
        finding_ids.begin() + static_cast<ptrdiff_t>(first),
        finding_ids.begin() + static_cast<ptrdiff_t>(std::min(finding_ids.size(),
                                                              first + size_t{kGuardDutyPageSize})));
    std::string answer = call(ops::kGetFindings, "POST",
                              "/detector/" + uri_encode(detector_id, false) + "/findings/get", "",
                              get_findings_body(chunk), detector_id, stop);
    simdjson::dom::parser parser;
    simdjson::dom::element doc =
        parse_answer(parser, answer, ops::kGetFindings, where_of(region(), detector_id));
    simdjson::dom::array items;
    if (doc["findings"].get(items)) continue;
    for (simdjson::dom::element item : items) {
      ApiFinding finding;
      finding.json = simdjson::minify(item);
      std::string_view text;
      if (!item["id"].get(text)) finding.id = std::string(text);
      if (!item["updatedAt"].get(text))
        if (auto at = parse_iso8601(text))
          finding.updated_at_ms =
              std::chrono::duration_cast<std::chrono::milliseconds>(at->time_since_epoch()).count();
      findings.push_back(std::move(finding));
    }
  }
  return findings;
}

std::string guardduty_error_code(const http::Response& response) {
  return parse_error(response).code;
}

ServiceError guardduty_error(const http::Response& response, const Operation& operation,
                             const std::string& region, const std::string& detector_id) {
  ErrorAnswer answer = parse_error(response);
  std::string code = answer.code.empty() ? "HTTP" + std::to_string(response.status) : answer.code;
  std::string message = std::string(operation.api) + " " + where_of(region, detector_id) +
                        " failed: HTTP " + std::to_string(response.status) + " " + code;
  if (std::string detail = short_service_message(answer.message); !detail.empty())
    message += " (" + detail + ")";
  message += hint(answer, operation, region, detector_id);
  return ServiceError(AwsService::kGuardDuty, response.status, std::move(code), message,
                      std::move(answer.message));
}

}  // namespace gd2s::aws
