// The S3 client against a loopback S3 stand-in written for these tests: listing (keys decoded,
// pagination), errors mapped to causes, GetObject resuming with Range and If-Match.

#include "aws/s3_client.h"

#include <gtest/gtest.h>

#include <atomic>

#include "aws/credential_providers.h"
#include "http/curl_client.h"
#include "support/loopback_server.h"

namespace gd2s::aws {
namespace {

using namespace std::chrono_literals;
using test::Loopback;

CredentialProviderPtr static_credentials() {
  return make_environment_provider([](const std::string& name) {
    if (name == "AWS_ACCESS_KEY_ID") return std::string("AKIATEST");
    if (name == "AWS_SECRET_ACCESS_KEY") return std::string("test-secret");
    return std::string();
  });
}

S3Client client_for(const std::string& endpoint, bool path_style = true) {
  S3Settings settings;
  settings.region = "eu-west-1";
  settings.endpoints.s3 = endpoint;
  settings.path_style = path_style;
  settings.backoff = {1ms, 5ms, 4};
  return S3Client(http::make_curl_client({}), static_credentials(), settings);
}

std::string object_body() {
  std::string body;
  for (int i = 0; i < 200000; ++i) body += static_cast<char>('a' + i % 26);
  return body;
}

TEST(S3Client, BuildsPathStyleAndVirtualHostedUrls) {
  S3Settings settings;
  settings.region = "eu-west-1";
  S3Client virtual_hosted(http::make_curl_client({}), static_credentials(), settings);
  auto request =
      virtual_hosted.signed_request("GET", "exports", "AWSLogs/1/a b+c.jsonl.gz", "", {});
  EXPECT_EQ(request.url, "https://exports.s3.eu-west-1.amazonaws.com/AWSLogs/1/a%20b%2Bc.jsonl.gz");
  auto dotted = virtual_hosted.signed_request("GET", "my.exports", "k", "", {});
  EXPECT_EQ(dotted.url, "https://s3.eu-west-1.amazonaws.com/my.exports/k")
      << "dots break TLS wildcards";
  EXPECT_EQ(http::find_header(request.headers, "Host"), "exports.s3.eu-west-1.amazonaws.com");
  EXPECT_FALSE(http::find_header(request.headers, "X-Amz-Content-SHA256").empty());
  EXPECT_NE(http::find_header(request.headers, "Authorization").find("/eu-west-1/s3/aws4_request"),
            std::string::npos);
}

TEST(S3Client, ListsPagesAndDecodesUrlEncodedKeys) {
  Loopback<> lo;
  std::string seen_query;
  lo.server().Get("/exports", [&](const httplib::Request& req, httplib::Response& res) {
    seen_query = req.target;
    bool second = req.has_param("continuation-token");
    res.set_content(
        std::string("<?xml version=\"1.0\"?><ListBucketResult "
                    "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                    "<Name>exports</Name><EncodingType>url</EncodingType>") +
            (second ? "<IsTruncated>false</IsTruncated><Contents><Key>AWSLogs/caf%C3%A9+2.gz</"
                      "Key><ETag>&quot;e2&quot;</ETag><Size>20</Size></Contents>"
                    : "<IsTruncated>true</IsTruncated><NextContinuationToken>1a+b/c=</"
                      "NextContinuationToken>"
                      "<Contents><Key>AWSLogs/a+b%2Bc%3D.gz</Key><ETag>&quot;e1&quot;</"
                      "ETag><Size>10</Size>"
                      "<LastModified>2026-03-01T00:00:00.000Z</LastModified></Contents>"
                      "<CommonPrefixes><Prefix>AWSLogs/111122223333/</Prefix></CommonPrefixes>") +
            "</ListBucketResult>",
        "application/xml");
  });
  lo.start();
  S3Client client = client_for(lo.url());
  ListPage first = client.list_objects_v2({"exports", "AWSLogs/", "/", "AWSLogs/0", "", 1000});
  ASSERT_EQ(first.objects.size(), 1u);
  EXPECT_EQ(first.objects[0].key, "AWSLogs/a b+c=.gz");
  EXPECT_EQ(first.objects[0].etag, "\"e1\"");
  EXPECT_EQ(first.objects[0].size, 10u);
  EXPECT_EQ(first.common_prefixes, std::vector<std::string>{"AWSLogs/111122223333/"});
  EXPECT_TRUE(first.truncated);
  EXPECT_NE(seen_query.find("encoding-type=url"), std::string::npos);
  EXPECT_NE(seen_query.find("start-after=AWSLogs%2F0"), std::string::npos);
  ListPage second =
      client.list_objects_v2({"exports", "AWSLogs/", "", "", first.next_continuation_token, 1000});
  EXPECT_NE(seen_query.find("continuation-token=1a%2Bb%2Fc%3D"), std::string::npos) << seen_query;
  ASSERT_EQ(second.objects.size(), 1u);
  EXPECT_EQ(second.objects[0].key, "AWSLogs/caf\xC3\xA9 2.gz");
  EXPECT_FALSE(second.truncated);
}

TEST(S3Client, MapsErrorsToCausesAndFixes) {
  Loopback<> lo;
  lo.server().Get("/denied", [](const httplib::Request&, httplib::Response& res) {
    res.status = 403;
    res.set_content("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
                    "application/xml");
  });
  lo.server().Get("/denied/object", [](const httplib::Request&, httplib::Response& res) {
    res.status = 403;
    res.set_content("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
                    "application/xml");
  });
  lo.server().Get("/exports/gone", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(
        "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>",
        "application/xml");
  });
  lo.start();
  S3Client client = client_for(lo.url());
  try {
    client.list_objects_v2({"denied", "AWSLogs/", "", "", "", 1000});
    FAIL();
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.code(), "AccessDenied");
    EXPECT_STREQ(e.what(),
                 "ListObjectsV2 on s3://denied/AWSLogs/ failed: AccessDenied (Access Denied): the "
                 "identity needs s3:ListBucket on the bucket for this prefix");
  }
  try {
    client.get_object("denied", "object", "");
    FAIL();
  } catch (const ServiceError& e) {
    EXPECT_NE(
        std::string(e.what()).find("s3:GetObject on the object and kms:Decrypt on the KMS key"),
        std::string::npos)
        << e.what();
  }
  try {
    client.get_object("exports", "gone", "\"e1\"");
    FAIL();
  } catch (const ServiceError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(e.code(), "NoSuchKey");
  }
}

TEST(S3Client, RetriesThrottlingThenSucceeds) {
  Loopback<> lo;
  std::atomic<int> calls{0};
  lo.server().Get("/exports", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls < 3) {
      res.status = 503;
      res.set_content("<Error><Code>SlowDown</Code></Error>", "application/xml");
      return;
    }
    res.set_content("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>",
                    "application/xml");
  });
  lo.start();
  EXPECT_TRUE(
      client_for(lo.url()).list_objects_v2({"exports", "", "", "", "", 10}).objects.empty());
  EXPECT_EQ(calls.load(), 3);
}

TEST(S3Client, ResumesABrokenDownloadWithRangeAndIfMatch) {
  const std::string body = object_body();
  Loopback<> lo;
  std::atomic<int> gets{0};
  std::string resume_range, resume_if_match;
  lo.server().Get(
      "/exports/AWSLogs/x.jsonl.gz", [&](const httplib::Request& req, httplib::Response& res) {
        int n = ++gets;
        if (n == 1) {
          // The first response breaks off after 50,000 bytes.
          res.set_content_provider(body.size(), "application/octet-stream",
                                   [&](size_t offset, size_t, httplib::DataSink& sink) {
                                     if (offset >= 50000) return false;
                                     sink.write(body.data() + offset, 50000 - offset);
                                     return true;
                                   });
          return;
        }
        resume_range = req.get_header_value("Range");
        resume_if_match = req.get_header_value("If-Match");
        res.set_content(body, "application/octet-stream");  // httplib answers the Range with 206
      });
  lo.start();
  S3Client client = client_for(lo.url());
  auto stream = client.get_object("exports", "AWSLogs/x.jsonl.gz", "\"etag-1\"");
  std::string got;
  char buffer[8192];
  for (size_t n; (n = stream->read(buffer)) > 0;) got.append(buffer, n);
  EXPECT_EQ(got.size(), body.size());
  EXPECT_TRUE(got == body) << "the resumed bytes differ";
  EXPECT_EQ(gets.load(), 2);
  EXPECT_EQ(resume_if_match, "\"etag-1\"");
  EXPECT_EQ(resume_range.rfind("bytes=", 0), 0u);
}

TEST(S3Client, AnObjectThatChangedMidReadIsATransportErrorSoTheUnitIsReadAgain) {
  Loopback<> lo;
  std::atomic<int> gets{0};
  lo.server().Get("/exports/k", [&](const httplib::Request& req, httplib::Response& res) {
    if (++gets == 1) {
      res.set_content_provider(100000, "application/octet-stream",
                               [](size_t offset, size_t, httplib::DataSink& sink) {
                                 if (offset >= 1000) return false;
                                 std::string chunk(1000, 'x');
                                 sink.write(chunk.data(), chunk.size());
                                 return true;
                               });
      return;
    }
    // The object was replaced: If-Match fails. (httplib would apply the Range to this body.)
    const_cast<httplib::Request&>(req).ranges.clear();
    res.status = 412;
    res.set_content("<Error><Code>PreconditionFailed</Code></Error>", "application/xml");
  });
  lo.start();
  S3Client client = client_for(lo.url());
  auto stream = client.get_object("exports", "k", "\"old\"");
  char buffer[4096];
  try {
    while (stream->read(buffer) > 0) {
    }
    FAIL();
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("changed while it was being read"), std::string::npos)
        << std::string(e.what()).substr(0, 300);
  }
}

TEST(S3Client, ABodyThatEndsBeforeTheListedSizeIsResumed) {
  const std::string body = object_body();
  Loopback<> lo;
  std::atomic<int> gets{0};
  lo.server().Get("/exports/short", [&](const httplib::Request&, httplib::Response& res) {
    // The first answer is well framed but short (a proxy cut it); the second serves the Range.
    res.set_content(++gets == 1 ? body.substr(0, 1000) : body, "application/octet-stream");
  });
  lo.start();
  S3Client client = client_for(lo.url());
  auto stream = client.get_object("exports", "short", "\"e\"", body.size());
  std::string got;
  char buffer[8192];
  for (size_t n; (n = stream->read(buffer)) > 0;) got.append(buffer, n);
  EXPECT_EQ(got.size(), body.size());
  EXPECT_TRUE(got == body);
  EXPECT_EQ(gets.load(), 2);
}

}  // namespace
}  // namespace gd2s::aws

namespace gd2s::aws {
namespace {

TEST(Endpoints, ConfigWinsThenServiceVariableThenGeneralVariableThenAws) {
  ::unsetenv("AWS_ENDPOINT_URL_S3");
  ::unsetenv("AWS_ENDPOINT_URL");
  EXPECT_EQ(resolve_endpoint("s3", "eu-west-1", {}), "https://s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(resolve_endpoint("sts", "cn-north-1", {}), "https://sts.cn-north-1.amazonaws.com.cn");
  ::setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1/", 1);
  EXPECT_EQ(resolve_endpoint("s3", "eu-west-1", {}), "http://127.0.0.1:1");
  ::setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2", 1);
  EXPECT_EQ(resolve_endpoint("s3", "eu-west-1", {}), "http://127.0.0.1:2");
  EXPECT_EQ(resolve_endpoint("sqs", "eu-west-1", {}), "http://127.0.0.1:1");
  EndpointOverrides overrides;
  overrides.s3 = "http://127.0.0.1:3";
  EXPECT_EQ(resolve_endpoint("s3", "eu-west-1", overrides), "http://127.0.0.1:3");
  ::unsetenv("AWS_ENDPOINT_URL_S3");
  ::unsetenv("AWS_ENDPOINT_URL");
  EXPECT_EQ(host_header("https://s3.amazonaws.com:443/b"), "s3.amazonaws.com");
  EXPECT_EQ(host_header("http://127.0.0.1:8080/b?x"), "127.0.0.1:8080");
  EXPECT_EQ(url_path("http://h/b/k%20x?y=1"), "/b/k%20x");
}

}  // namespace
}  // namespace gd2s::aws
