#pragma once
// The SQS calls gd2sentinel makes, on the AWS JSON 1.0 protocol (REFERENCE.md §5.2):
// ReceiveMessage (long polling), DeleteMessageBatch, ChangeMessageVisibility(Batch) and
// GetQueueAttributes.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/endpoints.h"
#include "aws/operations.h"
#include "aws/service_call.h"
#include "core/time.h"
#include "http/http_client.h"
#include "http/retry.h"

namespace gd2s::aws {

struct SqsMessage {
  std::string message_id;
  std::string receipt_handle;  // the latest one: delete and extend with it
  std::string body;
  uint32_t receive_count = 0;        // ApproximateReceiveCount
  std::optional<Timestamp> sent_at;  // SentTimestamp
};

/// One entry of a batch call: `id` is ours (unique in the batch, [A-Za-z0-9_-]{1,80}).
struct SqsBatchEntry {
  std::string id;
  std::string receipt_handle;
  int visibility_timeout_seconds = 0;  // ChangeMessageVisibilityBatch only
};

/// An entry SQS did not carry out (the Failed[] of a batch answer, even with HTTP 200).
struct SqsBatchFailure {
  std::string id;
  std::string code;
  std::string message;
  bool sender_fault = false;
};

/// An SQS error answer, with the code from __type (prefix# and :suffix stripped) or from
/// x-amzn-query-error, and a message that says what it means and what to do (for
/// AccessDenied: which sqs: action the policy must allow).
struct SqsSettings {
  std::string region;
  EndpointOverrides endpoints;  // SQS is reached at resolve_endpoint("sqs", region, endpoints)
  http::Backoff backoff;        // throttling, 5xx and connection errors
};

class SqsClient {
 public:
  SqsClient(http::HttpClientPtr http, CredentialProviderPtr credentials, SqsSettings settings);

  /// ReceiveMessage with ApproximateReceiveCount and SentTimestamp; `max_messages` 1–10,
  /// `wait` 0–20 s (long polling; the HTTP timeout is set longer than it). `visibility`
  /// unset: the queue's default. Empty when no message came. Throws ServiceError, HttpError.
  std::vector<SqsMessage> receive(const std::string& queue_url, int max_messages,
                                  std::chrono::seconds wait,
                                  std::optional<std::chrono::seconds> visibility = std::nullopt,
                                  std::stop_token stop = {});
  /// DeleteMessageBatch (≤ 10 entries; more are sent as several calls; none: no call);
  /// returns the entries that failed.
  std::vector<SqsBatchFailure> delete_batch(const std::string& queue_url,
                                            const std::vector<SqsBatchEntry>& entries,
                                            std::stop_token stop = {});
  /// ChangeMessageVisibilityBatch (≤ 10 entries, as delete_batch); returns the entries that
  /// failed.
  std::vector<SqsBatchFailure> change_visibility_batch(const std::string& queue_url,
                                                       const std::vector<SqsBatchEntry>& entries,
                                                       std::stop_token stop = {});
  void change_visibility(const std::string& queue_url, const std::string& receipt_handle,
                         int visibility_timeout_seconds, std::stop_token stop = {});
  /// GetQueueAttributes for `names` (e.g. "VisibilityTimeout", "RedrivePolicy"; none: "All").
  std::map<std::string, std::string> queue_attributes(const std::string& queue_url,
                                                      const std::vector<std::string>& names,
                                                      std::stop_token stop = {});

 private:
  // One signed AmazonSQS.<operation> call with retries; returns the JSON answer body.
  // `queue_url` names the queue in errors; `timeout` 0 is the HTTP client's default.
  std::string call(const Operation& operation, const std::string& queue_url,
                   const std::string& json_body, std::chrono::seconds timeout,
                   std::stop_token stop);
  std::vector<SqsBatchFailure> batch(const Operation& operation, const std::string& queue_url,
                                     const std::vector<SqsBatchEntry>& entries,
                                     bool with_visibility, std::stop_token stop);

  ServiceChannel channel_;
};

/// The error code of an SQS JSON answer: `__type` without a "prefix#" and a ":suffix", else
/// the `x-amzn-query-error` header before ';', else empty.
std::string sqs_error_code(const http::Response& response);

/// A non-2xx SQS answer → a ServiceError naming the operation and the queue, with the fix for the
/// common causes (the IAM action to allow, the queue URL to check, the credentials).
ServiceError sqs_error(const http::Response& response, const Operation& operation,
                       const std::string& queue_url);

}  // namespace gd2s::aws
