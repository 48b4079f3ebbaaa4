#include "aws/sqs_client.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <functional>

#include "aws/error_text.h"
#include "aws/sigv4.h"
#include "core/json_writer.h"

namespace gd2s::aws {
namespace {

constexpr const char* kJsonContentType = "application/x-amz-json-1.0";
constexpr size_t kMaxBatchEntries = 10;
// Long polls are answered after up to `wait`; the HTTP timeout leaves this much on top.
constexpr std::chrono::seconds kPollMargin{10};

// The two names SQS gives an error (JSON: __type; query-compatible: x-amzn-query-error), and
// its message.
struct ErrorAnswer {
  std::string type_code;
  std::string query_code;
  std::string message;
  bool is(std::initializer_list<std::string_view> codes) const {
    return is_one_of(type_code, codes) || is_one_of(query_code, codes);
  }
};

ErrorAnswer parse_error(const http::Response& response) {
  ErrorAnswer answer;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (!parser.parse(response.body).get(doc)) {
    std::string_view type, message;
    if (!doc["__type"].get(type)) answer.type_code = bare_error_code(type);
    if (!doc["message"].get(message) || !doc["Message"].get(message))
      answer.message = std::string(message);
  }
  std::string_view query = response.header("x-amzn-query-error");
  answer.query_code = std::string(query.substr(0, query.find(';')));
  return answer;
}

std::string hint(const ErrorAnswer& error, const Operation& operation) {
  if (error.is({"AccessDenied", "AccessDeniedException"})) {
    std::string fix = ": the identity needs " + std::string(operation.iam_action) +
                      " on this queue (IAM policy, and no Deny in the queue policy)";
    if (operation.api == ops::kReceiveMessage.api)
      fix +=
          "; for a queue encrypted with a customer-managed KMS key, also kms:Decrypt on that key";
    return fix;
  }
  if (error.is({"KmsAccessDenied", "KMS.AccessDeniedException"}))
    return ": the queue is encrypted with a KMS key this identity may not use; allow kms:Decrypt "
           "on the key (key policy and IAM)";
  if (error.is({"KmsDisabled", "KMS.DisabledException", "KmsNotFound", "KMS.NotFoundException",
                "KmsInvalidState", "KMS.KMSInvalidStateException"}))
    return ": the queue's KMS key is disabled, pending deletion or gone; fix the key or the "
           "queue's encryption setting";
  if (error.is(
          {"QueueDoesNotExist", "NonExistentQueue", "AWS.SimpleQueueService.NonExistentQueue"}))
    return ": the queue does not exist here; check queue_url and region";
  if (error.is({"InvalidAddress"})) return ": this is not an SQS queue URL; check queue_url";
  if (error.is({"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch",
                "IncompleteSignature", "InvalidSignatureException", "MissingAuthenticationToken",
                "MissingAuthenticationTokenException", "ExpiredToken", "ExpiredTokenException"}))
    return ": the AWS credentials are wrong or expired, the signing region is not the queue's, or "
           "the clock is more than 15 minutes off";
  if (error.is({"ReceiptHandleIsInvalid", "MessageNotInflight",
                "AWS.SimpleQueueService.MessageNotInflight"}))
    return ": the message is no longer in flight with this receipt handle (deleted, or its "
           "visibility timeout expired and it was received again)";
  if (error.is({"OverLimit"}))
    return ": the queue has too many messages in flight (about 120,000); delete processed "
           "messages sooner or shorten the visibility timeout";
  if (error.is(
          {"ThrottlingException", "RequestThrottled", "KmsThrottled", "KMS.ThrottlingException"}))
    return ": SQS is throttling; requests back off and retry";
  return "";
}

bool is_throttling(const http::Response& response) {
  if (http::is_retryable_status(response.status)) return true;
  if (response.status < 400 || response.status >= 500) return false;
  return parse_error(response).is({"ThrottlingException", "RequestThrottled", "Throttling",
                                   "KmsThrottled", "KMS.ThrottlingException"});
}

std::string string_of(simdjson::dom::element element, const char* key) {
  std::string_view value;
  return element[key].get(value) ? std::string() : std::string(value);
}

template <typename Number>
std::optional<Number> number_of(std::string_view text) {
  Number value{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

SqsMessage message_of(simdjson::dom::element item) {
  SqsMessage message;
  message.message_id = string_of(item, "MessageId");
  message.receipt_handle = string_of(item, "ReceiptHandle");
  message.body = string_of(item, "Body");
  simdjson::dom::element attributes;
  if (item["Attributes"].get(attributes)) return message;
  if (auto count = number_of<uint32_t>(string_of(attributes, "ApproximateReceiveCount")))
    message.receive_count = *count;
  if (auto millis = number_of<int64_t>(string_of(attributes, "SentTimestamp")))
    message.sent_at = Timestamp{std::chrono::milliseconds{*millis}};
  return message;
}

simdjson::dom::element parse_answer(simdjson::dom::parser& parser, const std::string& body,
                                    const Operation& operation, const std::string& queue_url) {
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) || !doc.is_object())
    throw ServiceError(AwsService::kSqs, 200, "MalformedResponse",
                       std::string(operation.api) + " on " + queue_url +
                           " returned a body that is not a JSON object");
  return doc;
}

void write_queue_url(JsonWriter& w, const std::string& queue_url) {
  write_key(w, "QueueUrl");
  write_string(w, queue_url);
}

}  // namespace

SqsClient::SqsClient(http::HttpClientPtr http, CredentialProviderPtr credentials,
                     SqsSettings settings)
    : channel_(AwsService::kSqs, std::move(http), std::move(credentials), settings.region,
               settings.endpoints, settings.backoff) {}

std::string SqsClient::call(const Operation& operation, const std::string& queue_url,
                            const std::string& json_body, std::chrono::seconds timeout,
                            std::stop_token stop) {
  ServiceRequest request{"POST",
                         channel_.endpoint() + "/",
                         "",
                         {{"Content-Type", kJsonContentType},
                          {"X-Amz-Target", "AmazonSQS." + std::string(operation.api)}},
                         json_body,
                         timeout};
  http::Response response =
      channel_.send(request, stop, std::string(operation.api) + " on " + queue_url, is_throttling);
  if (response.status == 200) return std::move(response.body);
  throw sqs_error(response, operation, queue_url);
}

std::vector<SqsMessage> SqsClient::receive(const std::string& queue_url, int max_messages,
                                           std::chrono::seconds wait,
                                           std::optional<std::chrono::seconds> visibility,
                                           std::stop_token stop) {
  std::string body = json_object([&](JsonWriter& w) {
    write_queue_url(w, queue_url);
    write_key(w, "MaxNumberOfMessages");
    w.Int(max_messages);
    write_key(w, "WaitTimeSeconds");
    w.Int64(wait.count());
    if (visibility) {
      write_key(w, "VisibilityTimeout");
      w.Int64(visibility->count());
    }
    write_key(w, "MessageSystemAttributeNames");
    w.StartArray();
    write_string(w, "ApproximateReceiveCount");
    write_string(w, "SentTimestamp");
    w.EndArray();
  });
  std::string answer = call(ops::kReceiveMessage, queue_url, body, wait + kPollMargin, stop);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parse_answer(parser, answer, ops::kReceiveMessage, queue_url);
  std::vector<SqsMessage> messages;
  simdjson::dom::array items;
  if (doc["Messages"].get(items)) return messages;  // absent (or null): no message came
  for (simdjson::dom::element item : items) messages.push_back(message_of(item));
  return messages;
}

std::vector<SqsBatchFailure> SqsClient::batch(const Operation& operation,
                                              const std::string& queue_url,
                                              const std::vector<SqsBatchEntry>& entries,
                                              bool with_visibility, std::stop_token stop) {
  std::vector<SqsBatchFailure> failures;
  for (size_t first = 0; first < entries.size(); first += kMaxBatchEntries) {
    size_t last = std::min(entries.size(), first + kMaxBatchEntries);
    std::string body = json_object([&](JsonWriter& w) {
      write_queue_url(w, queue_url);
      write_key(w, "Entries");
      w.StartArray();
      for (size_t i = first; i < last; ++i) {
        w.StartObject();
        write_key(w, "Id");
        write_string(w, entries[i].id);
        write_key(w, "ReceiptHandle");
        write_string(w, entries[i].receipt_handle);
        if (with_visibility) {
          write_key(w, "VisibilityTimeout");
          w.Int(entries[i].visibility_timeout_seconds);
        }
        w.EndObject();
      }
      w.EndArray();
    });
    std::string answer = call(operation, queue_url, body, std::chrono::seconds(0), stop);
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parse_answer(parser, answer, operation, queue_url);
    simdjson::dom::array failed;
    if (doc["Failed"].get(failed)) continue;
    for (simdjson::dom::element item : failed) {
      SqsBatchFailure failure{string_of(item, "Id"), string_of(item, "Code"),
                              string_of(item, "Message"), false};
      bool sender_fault = false;
      if (!item["SenderFault"].get(sender_fault)) failure.sender_fault = sender_fault;
      failures.push_back(std::move(failure));
    }
  }
  return failures;
}

std::vector<SqsBatchFailure> SqsClient::delete_batch(const std::string& queue_url,
                                                     const std::vector<SqsBatchEntry>& entries,
                                                     std::stop_token stop) {
  return batch(ops::kDeleteMessageBatch, queue_url, entries, false, stop);
}

std::vector<SqsBatchFailure> SqsClient::change_visibility_batch(
    const std::string& queue_url, const std::vector<SqsBatchEntry>& entries, std::stop_token stop) {
  return batch(ops::kChangeMessageVisibilityBatch, queue_url, entries, true, stop);
}

void SqsClient::change_visibility(const std::string& queue_url, const std::string& receipt_handle,
                                  int visibility_timeout_seconds, std::stop_token stop) {
  std::string body = json_object([&](JsonWriter& w) {
    write_queue_url(w, queue_url);
    write_key(w, "ReceiptHandle");
    write_string(w, receipt_handle);
    write_key(w, "VisibilityTimeout");
    w.Int(visibility_timeout_seconds);
  });
  call(ops::kChangeMessageVisibility, queue_url, body, std::chrono::seconds(0), stop);
}

std::map<std::string, std::string> SqsClient::queue_attributes(
    const std::string& queue_url, const std::vector<std::string>& names, std::stop_token stop) {
  std::string body = json_object([&](JsonWriter& w) {
    write_queue_url(w, queue_url);
    write_key(w, "AttributeNames");
    w.StartArray();
    if (names.empty()) write_string(w, "All");
    for (const std::string& name : names) write_string(w, name);
    w.EndArray();
  });
  std::string answer =
      call(ops::kGetQueueAttributes, queue_url, body, std::chrono::seconds(0), stop);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parse_answer(parser, answer, ops::kGetQueueAttributes, queue_url);
  std::map<std::string, std::string> attributes;
  simdjson::dom::object members;
  if (doc["Attributes"].get(members)) return attributes;
  for (auto [key, value] : members) {
    std::string_view text;
    if (!value.get(text)) attributes.emplace(std::string(key), std::string(text));
  }
  return attributes;
}

std::string sqs_error_code(const http::Response& response) {
  ErrorAnswer answer = parse_error(response);
  return answer.type_code.empty() ? answer.query_code : answer.type_code;
}

ServiceError sqs_error(const http::Response& response, const Operation& operation,
                       const std::string& queue_url) {
  ErrorAnswer answer = parse_error(response);
  std::string code = answer.type_code.empty() ? answer.query_code : answer.type_code;
  if (code.empty()) code = "HTTP" + std::to_string(response.status);
  std::string message = std::string(operation.api) + " on " + queue_url + " failed: HTTP " +
                        std::to_string(response.status) + " " + code;
  if (std::string detail = short_service_message(answer.message); !detail.empty())
    message += " (" + detail + ")";
  message += hint(answer, operation);
  return ServiceError(AwsService::kSqs, response.status, std::move(code), message,
                      std::move(answer.message));
}

}  // namespace gd2s::aws
