#include "sources/sqs/envelope.h"

#include <simdjson.h>

#include <algorithm>
#include <exception>
#include <initializer_list>
#include <utility>

#include "decode/json_type_name.h"

// The shapes are those of REFERENCE.md §4.1–§4.5; the order of the tests is §4.6's table.

namespace gd2s {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;
using Kind = Envelope::Kind;

// Text taken from the message into a detail is cut to this length: a detail is for logs and
// dead letters, and a hostile body must not make them huge.
constexpr size_t kMaxQuoted = 120;
constexpr size_t kMaxNamesListed = 8;

// `text` in double quotes, shortened, with control characters replaced, for a detail.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text.substr(0, kMaxQuoted))
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
  if (text.size() > kMaxQuoted) out += "...";
  return out + "\"";
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < kMaxNamesListed; ++i)
    out += (i ? ", " : "") + names[i];
  if (names.size() > kMaxNamesListed)
    out += " and " + std::to_string(names.size() - kMaxNamesListed) + " more";
  return out;
}

Envelope unknown(std::string detail, std::string via = {}) {
  Envelope e;
  e.kind = Kind::kUnknown;
  e.detail = std::move(detail);
  e.via = std::move(via);
  return e;
}

Envelope skipped(std::string detail, std::string via) {
  Envelope e;
  e.kind = Kind::kSkipped;
  e.detail = std::move(detail);
  e.via = std::move(via);
  return e;
}

// Follows object keys `path` from `from`. On failure `why` says which step is missing or is not
// an object, named from `where` (for example "Records[2]").
bool follow(element from, std::initializer_list<std::string_view> path, std::string where,
            element& out, std::string& why) {
  element at = from;
  for (std::string_view key : path) {
    object obj;
    if (at.get_object().get(obj) != simdjson::SUCCESS) {
      why = where + " is " + json_type_name(at.type()) + ", not an object";
      return false;
    }
    where += ".";
    where += key;
    if (obj.at_key(key).get(at) != simdjson::SUCCESS) {
      why = where + " is missing";
      return false;
    }
  }
  out = at;
  return true;
}

// A string at `path`, or why there is none.
bool string_at(element from, std::initializer_list<std::string_view> path, const std::string& where,
               std::string_view& out, std::string& why) {
  element leaf;
  if (!follow(from, path, where, leaf, why)) return false;
  if (leaf.get_string().get(out) == simdjson::SUCCESS) return true;
  why = where;
  for (std::string_view key : path) (why += ".") += key;
  why += std::string(" is ") + json_type_name(leaf.type()) + ", not a string";
  return false;
}

// A string member, or an empty view when absent or of another type.
std::string_view optional_string(object obj, std::string_view key) {
  std::string_view value;
  if (obj.at_key(key).get_string().get(value) != simdjson::SUCCESS) return {};
  return value;
}

std::optional<uint64_t> optional_size(element from, std::initializer_list<std::string_view> path) {
  element leaf;
  std::string ignored;
  uint64_t size = 0;
  if (follow(from, path, "", leaf, ignored) && leaf.get_uint64().get(size) == simdjson::SUCCESS)
    return size;
  return std::nullopt;
}

// The object named by bucket/key paths in an S3 notification (§4.1) or an EventBridge
// "Object Created" detail (§4.4); `decode` says whether the key is form-encoded.
bool object_ref(element from, const std::string& where,
                std::initializer_list<std::string_view> bucket_path,
                std::initializer_list<std::string_view> key_path,
                std::initializer_list<std::string_view> size_path,
                std::initializer_list<std::string_view> etag_path, bool decode, S3ObjectRef& ref,
                std::string& why) {
  std::string_view bucket, key, etag;
  if (!string_at(from, bucket_path, where, bucket, why)) return false;
  if (!string_at(from, key_path, where, key, why)) return false;
  if (bucket.empty() || key.empty()) {
    why = where + (bucket.empty() ? " names an empty bucket" : " names an empty object key");
    return false;
  }
  std::string ignored;
  if (!string_at(from, etag_path, where, etag, ignored)) etag = {};
  ref.bucket = std::string{bucket};
  ref.key = decode ? decode_s3_event_key(key) : std::string{key};
  ref.size = optional_size(from, size_path);
  ref.etag = std::string{etag};
  return true;
}

// §4.1: "Check the major version of eventVersion for equality"; every 2.x is accepted.
bool is_event_version_2(std::string_view version) {
  return version == "2" || version.starts_with("2.");
}

Envelope classify_s3_records(element records_value) {
  array records;
  if (records_value.get_array().get(records) != simdjson::SUCCESS)
    return unknown(std::string("Records is ") + json_type_name(records_value.type()) +
                       ", not an array: not an S3 event notification",
                   "s3");
  if (records.size() == 0) return unknown("the Records array is empty", "s3");

  Envelope result;
  result.kind = Kind::kS3Objects;
  result.via = "s3";
  std::vector<std::string> other_names;
  size_t index = 0;
  for (element record : records) {
    const std::string where = "Records[" + std::to_string(index++) + "]";
    std::string why;
    std::string_view source, version, name;
    if (!string_at(record, {"eventSource"}, where, source, why))
      return unknown(why + ": not an S3 event notification", "s3");
    if (source != "aws:s3")
      return unknown(where + ".eventSource is " + quoted(source) + ", not \"aws:s3\"", "s3");
    if (!string_at(record, {"eventVersion"}, where, version, why)) return unknown(why, "s3");
    if (!is_event_version_2(version))
      return unknown(where + ".eventVersion is " + quoted(version) +
                         "; only S3 event notifications of version 2.x are understood",
                     "s3");
    if (!string_at(record, {"eventName"}, where, name, why)) return unknown(why, "s3");
    if (!name.starts_with("ObjectCreated:")) {
      std::string listed = quoted(name);
      if (std::find(other_names.begin(), other_names.end(), listed) == other_names.end())
        other_names.push_back(std::move(listed));
      continue;
    }
    S3ObjectRef ref;
    if (!object_ref(record, where, {"s3", "bucket", "name"}, {"s3", "object", "key"},
                    {"s3", "object", "size"}, {"s3", "object", "eTag"}, true, ref, why))
      return unknown(why, "s3");
    result.objects.push_back(std::move(ref));
  }
  if (result.objects.empty())
    return skipped("an S3 event notification with no ObjectCreated record (event names: " +
                       joined(other_names) + ")",
                   "s3");
  return result;
}

Envelope classify_eventbridge(object root, std::string_view source, std::string_view detail_type) {
  const std::string what =
      "an EventBridge event from " + quoted(source) + " of detail-type " + quoted(detail_type);
  element detail;
  const bool has_detail = root.at_key("detail").get(detail) == simdjson::SUCCESS;

  if (source == "aws.guardduty") {
    if (detail_type != "GuardDuty Finding") return skipped(what + ", not a finding", "eventbridge");
    if (!has_detail) return unknown(what + " without a detail", "eventbridge");
    if (!detail.is_object())
      return unknown(what + " whose detail is " + json_type_name(detail.type()) + ", not an object",
                     "eventbridge");
    Envelope e;
    e.kind = Kind::kFinding;
    e.finding = simdjson::minify(detail);
    e.via = "eventbridge";
    return e;
  }

  // source == "aws.s3"
  if (detail_type != "Object Created")
    return skipped(what + ", not an object creation", "eventbridge+s3");
  // Whether detail.object.key is URL-encoded like the notification key of §4.1 is not stated by
  // AWS (REFERENCE §4.4: UNVERIFIED). The key is used as it arrives, not decoded, because:
  //  - AWS's own examples show plain keys ("example-key", "IMG_m7fzo3.jpg"), and an event
  //    captured from a real bucket (public gist "s3-eventbridge-event-object", 2023) carries the
  //    key "raw/health-check/2023-08-08T14:03:40.532432.zip" with its ':' as is, where a §4.1
  //    notification form-encodes ':' as %3A (aws/aws-sdk-js#837, localstack/localstack#465);
  //  - moto URL-encodes the key of Lambda/SQS/SNS notifications only and sends EventBridge keys
  //    raw (getmoto/moto#9060);
  //  - decoding a raw key corrupts keys that hold '+' or '%', whereas GuardDuty's own export keys
  //    (REFERENCE §3.1) have neither, so for them both readings agree.
  // Some consumers decode anyway (AWS Lambda Powertools for Python `unquote_plus`s it; OpenSearch
  // Data Prepper offers a decoded key); if AWS ever documents encoding, decode here too.
  if (!has_detail) return unknown(what + " without a detail", "eventbridge+s3");
  S3ObjectRef ref;
  std::string why;
  if (!object_ref(detail, "detail", {"bucket", "name"}, {"object", "key"}, {"object", "size"},
                  {"object", "etag"}, false, ref, why))
    return unknown(what + ": " + why, "eventbridge+s3");
  Envelope e;
  e.kind = Kind::kS3Objects;
  e.via = "eventbridge+s3";
  e.objects.push_back(std::move(ref));
  return e;
}

Envelope classify_body(std::string_view body, int depth);

// §4.3: the S3 event (or an EventBridge event) is a JSON string in Message.
Envelope classify_sns(std::string_view topic, std::string_view message, int depth) {
  Envelope inner = classify_body(message, depth + 1);
  inner.via = inner.via.empty() ? "sns" : "sns+" + inner.via;
  if (inner.kind == Kind::kUnknown || inner.kind == Kind::kSkipped)
    inner.detail = "in an SNS notification from " + quoted(topic) + ": " + inner.detail;
  return inner;
}

std::string top_level_keys(object root) {
  std::vector<std::string> keys;
  for (auto field : root) keys.push_back(quoted(field.key));
  return keys.empty() ? "it is an empty object" : "its top-level keys are " + joined(keys);
}

Envelope classify_object(element root_value, int depth) {
  object root;
  if (root_value.get_object().get(root) != simdjson::SUCCESS)
    return unknown(std::string("the message body is JSON but not an object (it is ") +
                   json_type_name(root_value.type()) + ")");

  element records;
  if (root.at_key("Records").get(records) == simdjson::SUCCESS) return classify_s3_records(records);

  if (optional_string(root, "Event") == "s3:TestEvent") {
    Envelope e;
    e.kind = Kind::kTestEvent;
    e.via = "s3";
    e.detail = "s3:TestEvent for bucket " + quoted(optional_string(root, "Bucket"));
    return e;
  }

  std::string_view sns_type = optional_string(root, "Type");
  element topic_value;
  if (!sns_type.empty() && root.at_key("TopicArn").get(topic_value) == simdjson::SUCCESS) {
    std::string_view topic = optional_string(root, "TopicArn");
    if (sns_type != "Notification")
      return unknown("an SNS " + quoted(sns_type) + " message from " + quoted(topic) +
                         ", not a Notification (an SNS subscription confirmation has to be "
                         "confirmed by its SubscribeURL; gd2sentinel does not do that)",
                     "sns");
    element message;
    if (root.at_key("Message").get(message) != simdjson::SUCCESS)
      return unknown("an SNS notification from " + quoted(topic) + " without a Message", "sns");
    std::string_view text;
    if (message.get_string().get(text) != simdjson::SUCCESS)
      return unknown("an SNS notification from " + quoted(topic) + " whose Message is " +
                         json_type_name(message.type()) + ", not a string",
                     "sns");
    if (depth > 0)
      return unknown("an SNS notification inside an SNS notification (from " + quoted(topic) + ")",
                     "sns");
    return classify_sns(topic, text, depth);
  }

  std::string_view source = optional_string(root, "source");
  std::string_view detail_type = optional_string(root, "detail-type");
  if (!source.empty() && !detail_type.empty()) {
    if (source == "aws.guardduty" || source == "aws.s3")
      return classify_eventbridge(root, source, detail_type);
    return unknown("an EventBridge event from " + quoted(source) + " of detail-type " +
                       quoted(detail_type) +
                       "; only aws.guardduty and aws.s3 events are understood",
                   "eventbridge");
  }

  return unknown(
      "neither an S3 event notification (Records), an S3 test event (Event), an SNS notification "
      "(Type, TopicArn, Message), nor an EventBridge event (source, detail-type): " +
      top_level_keys(root));
}

Envelope classify_body(std::string_view body, int depth) {
  simdjson::dom::parser parser;
  element root;
  simdjson::error_code error = parser.parse(body.data(), body.size()).get(root);
  if (error != simdjson::SUCCESS)
    return unknown(std::string(depth == 0 ? "the message body" : "the SNS Message") +
                   " is not JSON: " + simdjson::error_message(error));
  Envelope e = classify_object(root, depth);
  if (depth > 0 && e.kind == Kind::kUnknown && e.detail.starts_with("the message body"))
    e.detail.replace(0, 16, "the SNS Message");
  return e;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Envelope classify_message(std::string_view body) {
  try {
    return classify_body(body, 0);
  } catch (const std::exception& e) {
    return unknown(std::string("the message body could not be classified: ") + e.what());
  } catch (...) {
    return unknown("the message body could not be classified");
  }
}

std::string decode_s3_event_key(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    char c = key[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < key.size() && hex_value(key[i + 1]) >= 0 &&
               hex_value(key[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(key[i + 1]) * 16 + hex_value(key[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace gd2s
