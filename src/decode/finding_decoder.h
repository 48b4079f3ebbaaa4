#pragma once
// Turns one record's text into a Finding, or says precisely why it cannot.

#include <simdjson.h>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/finding.h"

namespace gd2s {

struct DecodeFailure {
  std::string reason;
};

class FindingDecoder {
 public:
  /// Deeper JSON than this is refused (GuardDuty findings nest about twelve levels).
  static constexpr size_t kMaxDepth = 64;

  FindingDecoder();

  /// The result views this decoder's memory: use it before the next call.
  std::variant<Finding, DecodeFailure> decode(std::string_view text);

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::parser additional_info_parser_;  // for the API's {"value": "<json>"} shape
  std::vector<std::string_view> key_scratch_;     // the duplicate-key check's, kept for reuse
};

}  // namespace gd2s
