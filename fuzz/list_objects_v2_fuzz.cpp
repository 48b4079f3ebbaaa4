// The ListObjectsV2 answer's XML: any body either becomes a page or a ServiceError that names
// the bucket; keys come out URL-decoded when the answer says EncodingType url.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "aws/s3_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  try {
    gd2s::aws::ListPage page = gd2s::aws::parse_list_objects_v2(body, "fuzz-bucket");
    // A truncated page always says where to go on.
    if (page.truncated && page.next_continuation_token.empty()) std::abort();
  } catch (const gd2s::aws::ServiceError& error) {
    if (error.code() != "MalformedResponse") std::abort();
  }
  return 0;
}
