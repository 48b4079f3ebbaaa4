// The SigV4 canonicaliser over any request, read in the official suite's .req form
// ("METHOD target HTTP/1.1", header lines, a blank line, the body), under both S3's rules and
// everyone else's. It must not fail, and what it signs must have the canonical request's shape.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "core/secret.h"

namespace {

gd2s::aws::SignableRequest parse_request(std::string_view text) {
  gd2s::aws::SignableRequest request;
  size_t line_end = std::min(text.find('\n'), text.size());
  std::string_view request_line = text.substr(0, line_end);
  size_t first_space = std::min(request_line.find(' '), request_line.size());
  request.method = std::string(request_line.substr(0, first_space));
  std::string_view target = request_line.substr(std::min(first_space + 1, request_line.size()));
  if (size_t version = target.rfind(" HTTP/"); version != std::string_view::npos)
    target = target.substr(0, version);
  size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  size_t pos = line_end + 1;
  while (pos < text.size()) {
    line_end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, line_end - pos);
    pos = line_end + 1;
    if (line.empty()) break;
    size_t colon = std::min(line.find(':'), line.size());
    request.headers.emplace_back(std::string(line.substr(0, colon)),
                                 std::string(line.substr(std::min(colon + 1, line.size()))));
  }
  request.payload_hash = gd2s::sha256_hex(pos < text.size() ? text.substr(pos) : "");
  return request;
}

bool is_hex(std::string_view text, size_t length) {
  return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gd2s::aws::SignableRequest request =
      parse_request(std::string_view(reinterpret_cast<const char*>(data), size));
  gd2s::aws::AwsCredentials credentials{"AKIDEXAMPLE",
                                        gd2s::Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                        gd2s::Secret(), std::nullopt, "fuzz"};
  std::chrono::sys_seconds time{std::chrono::seconds{1440938160}};
  for (bool s3_rules : {false, true}) {
    gd2s::aws::Signature signature =
        gd2s::aws::sigv4_sign(request, credentials, {"us-east-1", "service", s3_rules}, time);
    // METHOD \n path \n query \n headers… \n \n signed headers \n payload hash
    if (signature.canonical_request.rfind(request.method + "\n", 0) != 0) std::abort();
    if (!signature.canonical_request.ends_with("\n" + request.payload_hash)) std::abort();
    if (!is_hex(signature.signature, 64)) std::abort();
    if (signature.authorization.find("Signature=" + signature.signature) == std::string::npos)
      std::abort();
  }
  return 0;
}
