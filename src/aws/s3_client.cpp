#include "aws/s3_client.h"

#include <spdlog/spdlog.h>

#include <pugixml.hpp>

#include "aws/sigv4.h"

namespace gd2s::aws {
namespace {

constexpr int kResumeAttempts = 5;

std::string query_param(std::string_view name, std::string_view value) {
  return std::string(name) + "=" + uri_encode(value, false);
}

// Keys come back form-encoded with encoding-type=url: '+' is a space.
std::string decode_key(std::string_view encoded) {
  std::string plus_as_space(encoded);
  for (char& c : plus_as_space)
    if (c == '+') c = ' ';
  return uri_decode(plus_as_space);
}

bool is_ip_or_localhost(std::string_view host) {
  if (host.starts_with("localhost") || host.starts_with("[")) return true;
  size_t colon = host.find(':');
  std::string_view name = host.substr(0, colon);
  return !name.empty() && name.find_first_not_of("0123456789.") == std::string_view::npos;
}

// Reads the rest of an object, reopening it at the offset reached when the connection breaks.
class ResumableObjectStream final : public ByteStream {
 public:
  ResumableObjectStream(S3Client& client, std::string bucket, std::string key, std::string etag,
                        uint64_t expected_size, std::unique_ptr<http::ResponseStream> first,
                        std::stop_token stop)
      : client_(client),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        etag_(std::move(etag)),
        expected_size_(expected_size),
        stream_(std::move(first)),
        stop_(stop) {}

  size_t read(std::span<char> buffer) override {
    for (int attempt = 0;; ++attempt) {
      try {
        size_t n = stream_->read(buffer);
        offset_ += n;
        if (n == 0 && expected_size_ > 0 && offset_ < expected_size_ && !buffer.empty())
          throw TransportError("the body ended after " + std::to_string(offset_) + " of " +
                               std::to_string(expected_size_) + " bytes");
        return n;
      } catch (const TransportError& error) {
        if (attempt >= kResumeAttempts || stop_.stop_requested()) throw;
        spdlog::warn("s3://{}/{}: {}; resuming at byte {}", bucket_, key_, error.what(), offset_);
        reopen();
      }
    }
  }

 private:
  void reopen() {
    http::Headers headers{{"Range", "bytes=" + std::to_string(offset_) + "-"}};
    if (!etag_.empty()) headers.emplace_back("If-Match", etag_);
    try {
      auto next = client_.http().open(client_.signed_request("GET", bucket_, key_, "", headers));
      if (next->status() == 206) {
        stream_ = std::move(next);
        return;
      }
      if (next->status() == 412)
        throw TransportError("s3://" + bucket_ + "/" + key_ +
                             " changed while it was being read (ETag no longer " + etag_ +
                             "); it is read again from the start");
      throw TransportError("s3://" + bucket_ + "/" + key_ + ": resuming at byte " +
                           std::to_string(offset_) + " got HTTP " + std::to_string(next->status()));
    } catch (const http::HttpError& error) {
      throw TransportError(error.what());
    }
  }

  S3Client& client_;
  std::string bucket_;
  std::string key_;
  std::string etag_;
  uint64_t expected_size_;
  std::unique_ptr<http::ResponseStream> stream_;
  std::stop_token stop_;
  uint64_t offset_ = 0;
};

}  // namespace

S3Client::S3Client(http::HttpClientPtr http, CredentialProviderPtr credentials, S3Settings settings)
    : channel_(AwsService::kS3, std::move(http), std::move(credentials), settings.region,
               settings.endpoints, settings.backoff),
      path_style_(settings.path_style) {}

std::string S3Client::object_url(const std::string& bucket, const std::string& key) const {
  const std::string& endpoint = channel_.endpoint();
  std::string host = host_header(endpoint);
  bool path_style =
      path_style_ || bucket.find('.') != std::string::npos || is_ip_or_localhost(host);
  std::string encoded_key = uri_encode(key, true);
  if (path_style) return endpoint + "/" + bucket + (key.empty() ? "" : "/" + encoded_key);
  size_t scheme_end = endpoint.find("://") + 3;
  return endpoint.substr(0, scheme_end) + bucket + "." + endpoint.substr(scheme_end) + "/" +
         encoded_key;
}

http::Request S3Client::signed_request(const std::string& method, const std::string& bucket,
                                       const std::string& key, const std::string& query,
                                       http::Headers extra_headers) {
  return channel_.sign({method, object_url(bucket, key), query, std::move(extra_headers), "", {}});
}

ListPage S3Client::list_objects_v2(const ListRequest& list, std::stop_token stop) {
  std::string query =
      "list-type=2&encoding-type=url&" + query_param("max-keys", std::to_string(list.max_keys));
  if (!list.prefix.empty()) query += "&" + query_param("prefix", list.prefix);
  if (!list.delimiter.empty()) query += "&" + query_param("delimiter", list.delimiter);
  if (!list.start_after.empty()) query += "&" + query_param("start-after", list.start_after);
  if (!list.continuation_token.empty())
    query += "&" + query_param("continuation-token", list.continuation_token);
  http::Response response =
      channel_.send({"GET", object_url(list.bucket, ""), query, {}, "", {}}, stop,
                    "ListObjectsV2 on s3://" + list.bucket + "/" + list.prefix);
  if (response.status != 200)
    throw s3_error(response.status, response.body, ops::kListObjectsV2,
                   "s3://" + list.bucket + "/" + list.prefix);
  return parse_list_objects_v2(response.body, list.bucket);
}

ListPage parse_list_objects_v2(std::string_view body, const std::string& bucket) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size()))
    throw ServiceError(AwsService::kS3, 200, "MalformedResponse",
                       "ListObjectsV2 on s3://" + bucket + " returned a body that is not XML");
  pugi::xml_node result = doc.child("ListBucketResult");
  bool url_encoded = std::string_view(result.child_value("EncodingType")) == "url";
  auto text = [&](std::string_view value) {
    return url_encoded ? decode_key(value) : std::string(value);
  };
  ListPage page;
  page.truncated = std::string_view(result.child_value("IsTruncated")) == "true";
  page.next_continuation_token = result.child_value("NextContinuationToken");
  for (pugi::xml_node item : result.children("Contents")) {
    S3Object object;
    object.key = text(item.child_value("Key"));
    object.etag = item.child_value("ETag");
    object.size = std::strtoull(item.child_value("Size"), nullptr, 10);
    object.last_modified = item.child_value("LastModified");
    page.objects.push_back(std::move(object));
  }
  for (pugi::xml_node prefix : result.children("CommonPrefixes"))
    page.common_prefixes.push_back(text(prefix.child_value("Prefix")));
  if (page.truncated && page.next_continuation_token.empty())
    throw ServiceError(
        AwsService::kS3, 200, "MalformedResponse",
        "ListObjectsV2 on s3://" + bucket + " is truncated without a continuation token");
  return page;
}

std::unique_ptr<ByteStream> S3Client::get_object(const std::string& bucket, const std::string& key,
                                                 const std::string& etag, uint64_t expected_size,
                                                 std::stop_token stop) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string resource = "s3://" + bucket + "/" + key;
  for (int attempt = 0;; ++attempt) {
    http::Headers headers;
    if (!etag.empty()) headers.emplace_back("If-Match", etag);
    bool last =
        channel_.backoff().max_attempts > 0 && attempt + 1 >= channel_.backoff().max_attempts;
    try {
      auto stream = channel_.http().open(signed_request("GET", bucket, key, "", headers));
      if (stream->status() == 200)
        return std::make_unique<ResumableObjectStream>(*this, bucket, key, etag, expected_size,
                                                       std::move(stream), stop);
      if (!http::is_retryable_status(stream->status()) || last) {
        std::string body;
        char buffer[4096];
        try {
          for (size_t n; body.size() < 64 * 1024 && (n = stream->read(buffer)) > 0;)
            body.append(buffer, n);
        } catch (const TransportError&) {
        }
        throw s3_error(stream->status(), body, ops::kGetObject, resource);
      }
      spdlog::debug("{}: HTTP {}, retrying", resource, stream->status());
    } catch (const http::HttpError& error) {
      if (last || stop.stop_requested()) throw TransportError(error.what());
      spdlog::debug("{}: {}, retrying", resource, error.what());
    }
    if (!http::sleep_for(http::full_jitter(channel_.backoff(), attempt, random), stop))
      throw TransportError("stopped while fetching " + resource);
  }
}

ServiceError s3_error(long status, const std::string& body, const Operation& operation,
                      const std::string& resource) {
  pugi::xml_document doc;
  std::string code, detail;
  if (doc.load_buffer(body.data(), body.size())) {
    code = doc.child("Error").child_value("Code");
    detail = doc.child("Error").child_value("Message");
  }
  if (code.empty()) code = "HTTP" + std::to_string(status);
  std::string message = std::string(operation.api) + " on " + resource + " failed: " + code;
  if (!detail.empty()) message += " (" + detail + ")";
  if (code == "AccessDenied") {
    message += operation.api == ops::kGetObject.api
                   ? ": the identity needs " + std::string(ops::kGetObject.iam_action) +
                         " on the object and " + std::string(ops::kDecryptExport.iam_action) +
                         " on the KMS key that encrypts the GuardDuty export"
                   : ": the identity needs " + std::string(ops::kListObjectsV2.iam_action) +
                         " on the bucket for this prefix";
  } else if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch" ||
             code == "ExpiredToken" || code == "InvalidToken") {
    message += ": the AWS credentials are wrong or expired";
  } else if (code == "NoSuchBucket") {
    message += ": check the bucket's name and the Region configured for it";
  } else if (code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed") {
    message += ": the bucket is in another Region than the one requests are signed for";
  } else if (code == "SlowDown") {
    message += ": S3 is throttling; requests back off and retry";
  }
  return ServiceError(AwsService::kS3, status, code, message);
}

}  // namespace gd2s::aws
