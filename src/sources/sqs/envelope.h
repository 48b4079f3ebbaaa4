#pragma once
// What an SQS message body is (REFERENCE.md §4.6): S3 event notifications (direct, wrapped in
// SNS, or EventBridge "Object Created"), a GuardDuty finding from EventBridge, S3's test event,
// something to skip on purpose, or something we do not understand.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gd2s {

struct S3ObjectRef {
  std::string bucket;
  std::string key;  // decoded: '+' is a space, %XX its byte
  std::optional<uint64_t> size;
  std::string etag;  // as notified (may be empty)
};

struct Envelope {
  enum class Kind {
    kS3Objects,  // read these objects (one message may name several)
    kFinding,    // `finding` is the finding's JSON (EventBridge "GuardDuty Finding" detail)
    kTestEvent,  // s3:TestEvent: delete, nothing to do
    kSkipped,    // understood and not for us (another aws.guardduty detail-type, an S3 event
                 // that is not ObjectCreated): counted and deleted
    kUnknown,    // not JSON, or none of the shapes above: dead-lettered, left to the redrive
  };
  Kind kind = Kind::kUnknown;
  std::vector<S3ObjectRef> objects;
  std::string finding;
  /// "s3", "sns+s3", "eventbridge+s3", "eventbridge": how it came.
  std::string via;
  /// For kSkipped and kUnknown: what it was or why it is not understood, for logs and letters.
  std::string detail;
};

/// Classifies one message body. Never throws.
Envelope classify_message(std::string_view body);

/// S3 event keys are form-encoded: '+' → ' ', %XX → byte. Malformed escapes stay as they are.
std::string decode_s3_event_key(std::string_view key);

}  // namespace gd2s
