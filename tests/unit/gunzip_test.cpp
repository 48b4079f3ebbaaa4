#include "decode/gunzip.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace gd2s {
namespace {

// Hands out at most `step` bytes per read, to exercise every buffer boundary.
class TrickleStream final : public ByteStream {
 public:
  TrickleStream(std::string bytes, size_t step) : bytes_(std::move(bytes)), step_(step) {}
  size_t read(std::span<char> buffer) override {
    size_t n = std::min({buffer.size(), step_, bytes_.size() - pos_});
    std::copy_n(bytes_.data() + pos_, n, buffer.data());
    pos_ += n;
    return n;
  }

 private:
  std::string bytes_;
  size_t step_;
  size_t pos_ = 0;
};

std::string drain(ByteStream& in) {
  std::string out;
  char buf[4096];
  for (size_t n; (n = in.read(buf)) > 0;) out.append(buf, n);
  return out;
}

TEST(MaybeGunzip, PassesPlainBytesThrough) {
  MemoryByteStream raw("{\"id\":1}\n");
  MaybeGunzipStream s(raw);
  EXPECT_EQ(drain(s), "{\"id\":1}\n");
  EXPECT_FALSE(s.compressed());
}

TEST(MaybeGunzip, DetectsGzipByMagicBytesAtAnyReadSize) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{\"line\":" + std::to_string(i) + "}\n";
  for (size_t step : {1u, 7u, 4096u, 1u << 20}) {
    TrickleStream raw(test::gzip(text), step);
    MaybeGunzipStream s(raw);
    EXPECT_EQ(drain(s), text) << "step " << step;
    EXPECT_TRUE(s.compressed());
  }
}

TEST(MaybeGunzip, ReadsConcatenatedMembers) {
  MemoryByteStream raw(test::gzip("a\n") + test::gzip("b\n") + test::gzip("c\n"));
  MaybeGunzipStream s(raw);
  EXPECT_EQ(drain(s), "a\nb\nc\n");
}

TEST(MaybeGunzip, ReportsTruncation) {
  std::string gz = test::gzip(std::string(10000, 'x'));
  MemoryByteStream raw(gz.substr(0, gz.size() / 2));
  MaybeGunzipStream s(raw);
  try {
    drain(s);
    FAIL() << "expected StreamError";
  } catch (const StreamError& e) {
    EXPECT_NE(std::string(e.what()).find("gzip stream is truncated"), std::string::npos)
        << e.what();
  }
}

TEST(MaybeGunzip, ReportsCorruption) {
  std::string gz = test::gzip(std::string(10000, 'x'));
  for (size_t i = 12; i < 40; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  MemoryByteStream raw(gz);
  MaybeGunzipStream s(raw);
  EXPECT_THROW(drain(s), StreamError);
}

TEST(MaybeGunzip, RefusesGarbageAfterTheLastMember) {
  MemoryByteStream raw(test::gzip("a\n") + "trailing");
  MaybeGunzipStream s(raw);
  EXPECT_THROW(drain(s), StreamError);
}

TEST(MaybeGunzip, EmptyInputIsEmpty) {
  MemoryByteStream raw("");
  MaybeGunzipStream s(raw);
  EXPECT_EQ(drain(s), "");
}

}  // namespace
}  // namespace gd2s
