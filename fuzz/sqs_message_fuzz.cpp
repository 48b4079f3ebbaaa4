// An SQS message body of any shape is classified without throwing: S3 notifications (direct,
// through SNS, through EventBridge), a GuardDuty finding event, a test event, skipped or unknown.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sources/sqs/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using Kind = gd2s::Envelope::Kind;
  gd2s::Envelope envelope =
      gd2s::classify_message(std::string_view(reinterpret_cast<const char*>(data), size));
  switch (envelope.kind) {
    case Kind::kS3Objects:
      // A message that names objects names at least one, each with a bucket and a key.
      if (envelope.objects.empty()) std::abort();
      for (const auto& object : envelope.objects)
        if (object.bucket.empty() || object.key.empty()) std::abort();
      break;
    case Kind::kFinding:
      if (envelope.finding.empty()) std::abort();
      break;
    case Kind::kSkipped:
    case Kind::kUnknown:
      if (envelope.detail.empty()) std::abort();  // counted or dead-lettered with a reason
      break;
    case Kind::kTestEvent:
      break;
  }
  return 0;
}
