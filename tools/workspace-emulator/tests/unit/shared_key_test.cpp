// The Data Collector SharedKey signature, with the test vectors of
// REFERENCE.md §10.3.
#include <gtest/gtest.h>

#include <string>

#include "shared_key.h"

namespace wsemu {
namespace {

const std::string kZeroKey = std::string(86, 'A') + "==";  // 64 zero bytes
const std::string kVectorKey =
    "SERsIYhgMVlJB6uPsq49gCxNiruf6v0vhMYE+lfzbSGcXjdViZdV/e5pEMTYtw9f8SkVLf4LFlLCc2KxtRZfCA==";

TEST(SharedKey, StringToSignHasTheDocumentedShape) {
  EXPECT_EQ(data_collector_string_to_sign(1024, "application/json", "Mon, 04 Apr 2016 08:00:00 GMT"),
            "POST\n1024\napplication/json\nx-ms-date:Mon, 04 Apr 2016 08:00:00 GMT\n/api/logs");
}

TEST(SharedKey, Vector1ZeroKey) {
  const auto s = data_collector_string_to_sign(1024, "application/json", "Mon, 04 Apr 2016 08:00:00 GMT");
  EXPECT_EQ(data_collector_signature(kZeroKey, s), "zojk/3+/ka8Ka8GD6XmesWTfJU6p+aBbYLPsPWeEhww=");
}

TEST(SharedKey, Vector2RandomKey) {
  const auto s = data_collector_string_to_sign(1024, "application/json", "Mon, 04 Apr 2016 08:00:00 GMT");
  EXPECT_EQ(data_collector_signature(kVectorKey, s), "9WOOz5W3lYV8+wcm1hn0Z+Qbwms0CpeReXxZI4uyNik=");
}

TEST(SharedKey, Vector3TwentyOneByteBody) {
  const std::string body = R"([{"message":"hello"}])";
  ASSERT_EQ(body.size(), 21u);
  const auto s = data_collector_string_to_sign(body.size(), "application/json", "Wed, 01 Jan 2020 00:00:00 GMT");
  EXPECT_EQ(data_collector_signature(kVectorKey, s), "aqk1wAe2ox5Q+c+yfr1LQLV096eb7OL00fhCwsa/S6w=");
}

TEST(SharedKey, Vector4PublishedPytest) {
  const std::string body =
      R"([{"id": "9db4179b-17de-4b3b-ae68-aba7a524feba", "tracker": "c1425424-7a68-42dc-b87e-43e441fd9cef", )"
      R"("level": "INFO", "category": "", "message": "Test message"}])";
  ASSERT_EQ(body.size(), 159u);
  const auto s = data_collector_string_to_sign(body.size(), "application/json", "2000-01-01T00:00:00");
  EXPECT_EQ(data_collector_signature(kZeroKey, s), "XbHKAvGr03HLLReEZHtJwDgykdxjruQesZ8FgRH9qi4=");
}

TEST(SharedKey, VerifiesOnlyTheExactSignature) {
  const auto s = data_collector_string_to_sign(1024, "application/json", "Mon, 04 Apr 2016 08:00:00 GMT");
  EXPECT_TRUE(verify_data_collector_signature(kVectorKey, s, "9WOOz5W3lYV8+wcm1hn0Z+Qbwms0CpeReXxZI4uyNik="));
  EXPECT_FALSE(verify_data_collector_signature(kVectorKey, s, "9WOOz5W3lYV8+wcm1hn0Z+Qbwms0CpeReXxZI4uyNik"));
  EXPECT_FALSE(verify_data_collector_signature(kZeroKey, s, "9WOOz5W3lYV8+wcm1hn0Z+Qbwms0CpeReXxZI4uyNik="));
  // Ruby's Base64.encode64 appends a newline; the service compares the exact value.
  EXPECT_FALSE(verify_data_collector_signature(kVectorKey, s, "9WOOz5W3lYV8+wcm1hn0Z+Qbwms0CpeReXxZI4uyNik=\n"));
}

TEST(SharedKey, KeyThatIsNotBase64HasNoSignature) {
  EXPECT_FALSE(data_collector_signature("not base64!", "x").has_value());
}

TEST(SharedKey, ParsesTheAuthorizationHeader) {
  const auto a = parse_shared_key_authorization("SharedKey 7e1d3b9a-0000-4000-8000-000000000006:abc+/=");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->workspace_id, "7e1d3b9a-0000-4000-8000-000000000006");
  EXPECT_EQ(a->signature, "abc+/=");
  EXPECT_FALSE(parse_shared_key_authorization("Bearer x").has_value());
  EXPECT_FALSE(parse_shared_key_authorization("SharedKey nocolon").has_value());
  EXPECT_FALSE(parse_shared_key_authorization("SharedKey :sig").has_value());
  EXPECT_FALSE(parse_shared_key_authorization("SharedKey id:").has_value());
}

}  // namespace
}  // namespace wsemu
