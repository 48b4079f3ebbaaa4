// Request bodies: the size limit counts every byte, gzip is inflated with the
// limit applied to the uncompressed size, and broken gzip is refused.
#include <gtest/gtest.h>

#include "body.h"

namespace wsemu {
namespace {

TEST(BodyCollector, KeepsUpToTheLimitButCountsEverything) {
  BodyCollector body(10);
  body.append("12345", 5);
  body.append("67890", 5);
  EXPECT_FALSE(body.over_limit());
  body.append("abc", 3);
  EXPECT_TRUE(body.over_limit());
  EXPECT_EQ(body.total_size(), 13u);
  EXPECT_EQ(body.data(), "1234567890");
}

TEST(Gzip, RoundTrips) {
  const std::string text(100000, 'x');
  const std::string packed = gzip_compress(text);
  EXPECT_TRUE(looks_gzipped(packed));
  EXPECT_LT(packed.size(), 1000u);
  const Inflated out = gunzip(packed, 1 << 20, 1 << 24);
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.data, text);
  EXPECT_EQ(out.total_size, text.size());
}

TEST(Gzip, MeasuresTheUncompressedSizeBeyondTheKeptBytes) {
  const std::string text(1048577, '[');
  const Inflated out = gunzip(gzip_compress(text), 1048576, 1 << 24);
  ASSERT_TRUE(out.ok);
  EXPECT_EQ(out.total_size, 1048577u);
  EXPECT_EQ(out.data.size(), 1048576u);
}

TEST(Gzip, StopsAtTheHardCap) {
  const Inflated out = gunzip(gzip_compress(std::string(5'000'000, 'z')), 100, 1'000'000);
  EXPECT_TRUE(out.ok);
  EXPECT_TRUE(out.hit_hard_cap);
  EXPECT_LE(out.total_size, 1'000'000u + 64 * 1024);
}

TEST(Gzip, ReadsConcatenatedMembers) {
  const Inflated out = gunzip(gzip_compress("[1,") + gzip_compress("2]"), 100, 1000);
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.data, "[1,2]");
}

TEST(Gzip, RefusesTruncatedAndNonGzipBodies) {
  const std::string packed = gzip_compress(std::string(10000, 'q'));
  const Inflated truncated = gunzip(packed.substr(0, packed.size() / 2), 1 << 20, 1 << 24);
  EXPECT_FALSE(truncated.ok);
  EXPECT_NE(truncated.error.find("truncated"), std::string::npos);
  const Inflated plain = gunzip(R"([{"a":1}])", 1 << 20, 1 << 24);
  EXPECT_FALSE(plain.ok);
  EXPECT_FALSE(looks_gzipped(R"([{"a":1}])"));
}

TEST(Gzip, RecognisesGzipContentEncodings) {
  EXPECT_TRUE(is_gzip_encoding("gzip"));
  EXPECT_TRUE(is_gzip_encoding("GZIP"));
  EXPECT_TRUE(is_gzip_encoding(" x-gzip "));
  EXPECT_FALSE(is_gzip_encoding("deflate"));
  EXPECT_FALSE(is_gzip_encoding("br"));
  EXPECT_FALSE(is_gzip_encoding(""));
}

}  // namespace
}  // namespace wsemu
