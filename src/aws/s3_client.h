#pragma once
// The S3 calls gd2sentinel makes: ListObjectsV2 and GetObject (streamed, resumable).

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.h"
#include "aws/endpoints.h"
#include "aws/operations.h"
#include "aws/service_call.h"
#include "core/byte_stream.h"
#include "http/http_client.h"
#include "http/retry.h"

namespace gd2s::aws {

struct S3Object {
  std::string key;
  std::string etag;  // as S3 returns it, quotes included
  uint64_t size = 0;
  std::string last_modified;
};

struct ListRequest {
  std::string bucket;
  std::string prefix;
  std::string delimiter;
  std::string start_after;
  std::string continuation_token;
  int max_keys = 1000;
};

struct ListPage {
  std::vector<S3Object> objects;
  std::vector<std::string> common_prefixes;
  std::string next_continuation_token;
  bool truncated = false;
};

/// An S3 error response, with what it means and what to do in the message.
/// A ListObjectsV2 answer's body → its page (keys decoded when EncodingType is url). Throws
/// ServiceError (MalformedResponse) when the body is not XML or is truncated without a token.
ListPage parse_list_objects_v2(std::string_view body, const std::string& bucket);

struct S3Settings {
  std::string region;
  EndpointOverrides endpoints;
  bool path_style = false;
  http::Backoff backoff;  // for throttling, 5xx and connection errors
};

class S3Client {
 public:
  S3Client(http::HttpClientPtr http, CredentialProviderPtr credentials, S3Settings settings);

  /// One page of ListObjectsV2 (encoding-type=url, keys decoded). Throws ServiceError, HttpError.
  ListPage list_objects_v2(const ListRequest& request, std::stop_token stop = {});

  /// The object's bytes as a stream that resumes with a Range request (If-Match on `etag`)
  /// when the connection breaks; TransportError when it cannot. Throws ServiceError on refusal
  /// (NoSuchKey, AccessDenied, PreconditionFailed when the object changed).
  /// `expected_size` (from the listing; 0 if unknown) catches a body that ends early with
  /// well-formed framing: it is resumed like a broken connection.
  std::unique_ptr<ByteStream> get_object(const std::string& bucket, const std::string& key,
                                         const std::string& etag, uint64_t expected_size = 0,
                                         std::stop_token stop = {});

  /// The signed request for an S3 call (exposed for the resumable stream and tests).
  http::Request signed_request(const std::string& method, const std::string& bucket,
                               const std::string& key, const std::string& query,
                               http::Headers extra_headers);

  http::HttpClient& http() { return channel_.http(); }

 private:
  std::string object_url(const std::string& bucket, const std::string& key) const;

  ServiceChannel channel_;
  bool path_style_;
};

/// S3's XML error body → a ServiceError with a plain cause and the fix for the common ones.
ServiceError s3_error(long status, const std::string& body, const Operation& operation,
                      const std::string& resource);

}  // namespace gd2s::aws
