#include "core/secret.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "support/test_support.h"

namespace gd2s {
namespace {

constexpr const char* kValue = "s3cr3t-Value-42";

TEST(Secret, ResolvesEnvironmentReferences) {
  ::setenv("GD2S_TEST_SECRET", kValue, 1);
  Secret s = resolve_secret(parse_secret_ref("env:GD2S_TEST_SECRET"), "env:GD2S_TEST_SECRET");
  EXPECT_EQ(s.reveal(), kValue);
  ::unsetenv("GD2S_TEST_SECRET");
}

TEST(Secret, ResolvesFileReferencesWithoutTheTrailingNewline) {
  test::TempDir dir;
  test::write_file(dir.file("key"), std::string(kValue) + "\n");
  Secret s = resolve_secret(parse_secret_ref("file:" + dir.file("key")), "");
  EXPECT_EQ(s.reveal(), kValue);
}

TEST(Secret, ErrorsNameTheReferenceNeverAValue) {
  ::unsetenv("GD2S_TEST_UNSET");
  try {
    resolve_secret(parse_secret_ref("env:GD2S_TEST_UNSET"), "");
    FAIL() << "expected an error";
  } catch (const SecretError& e) {
    EXPECT_STREQ(e.what(),
                 "secret reference 'env:GD2S_TEST_UNSET': environment variable GD2S_TEST_UNSET "
                 "is not set");
  }
  ::setenv("GD2S_TEST_EMPTY", "", 1);
  EXPECT_THROW(resolve_secret(parse_secret_ref("env:GD2S_TEST_EMPTY"), ""), SecretError);
  EXPECT_THROW(resolve_secret(parse_secret_ref("file:/nonexistent/key"), ""), SecretError);
}

TEST(Secret, LiteralsAreKeptAndDescribedWithoutTheirValue) {
  SecretRef ref = parse_secret_ref(kValue);
  EXPECT_EQ(ref.kind, SecretRef::Kind::kLiteral);
  EXPECT_EQ(ref.describe(), "(inline value)");
  EXPECT_EQ(resolve_secret(ref, kValue).reveal(), kValue);
}

}  // namespace
}  // namespace gd2s
