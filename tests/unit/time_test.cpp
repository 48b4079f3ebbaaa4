#include "core/time.h"

#include <gtest/gtest.h>

namespace gd2s {
namespace {

std::string roundtrip(std::string_view text) {
  auto t = parse_iso8601(text);
  return t ? format_iso8601(*t) : "(invalid)";
}

TEST(Iso8601, ReadsTheFormsFindingsUse) {
  EXPECT_EQ(roundtrip("2022-11-17T09:33:19.224Z"), "2022-11-17T09:33:19.224Z");
  EXPECT_EQ(roundtrip("2016-08-02T02:05:06Z"), "2016-08-02T02:05:06.000Z");
  EXPECT_EQ(roundtrip("2025-02-25 20:40:06.721"), "2025-02-25T20:40:06.721Z");
  EXPECT_EQ(roundtrip("2025-02-25 20:40:06.000000000"), "2025-02-25T20:40:06.000Z");
  EXPECT_EQ(roundtrip("2024-01-01T01:00:00+01:00"), "2024-01-01T00:00:00.000Z");
  EXPECT_EQ(roundtrip("2024-01-01T00:00:00.123456Z"), "2024-01-01T00:00:00.123456Z");
}

TEST(Iso8601, WritesEveryFieldAtItsWidthAndYearsOutsideFourDigitsToo) {
  EXPECT_EQ(roundtrip("0001-02-03T04:05:06.007Z"), "0001-02-03T04:05:06.007Z");
  EXPECT_EQ(roundtrip("9999-12-31T23:59:59.999999Z"), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(roundtrip("2024-01-01T00:00:00.000001Z"), "2024-01-01T00:00:00.000001Z");
  EXPECT_EQ(roundtrip("0000-01-01T00:00:00Z"), "0000-01-01T00:00:00.000Z");
  // An offset can move a time out of year 0: the year is written as it is, sign and all.
  EXPECT_EQ(roundtrip("0000-01-01T00:00:00+01:00"), "-001-12-31T23:00:00.000Z");
  using namespace std::chrono;
  EXPECT_EQ(format_iso8601(Timestamp{sys_days{year{10000} / January / 1}}),
            "10000-01-01T00:00:00.000Z");
}

TEST(Iso8601, AppendingWritesTheSameTextAfterWhatIsThere) {
  auto t = parse_iso8601("2022-11-17T09:33:19.224Z");
  ASSERT_TRUE(t);
  std::string out = "\"";
  append_iso8601(out, *t);
  EXPECT_EQ(out, "\"" + format_iso8601(*t));
  EXPECT_EQ(out, "\"2022-11-17T09:33:19.224Z");
}

TEST(Iso8601, RefusesWhatIsNotATime) {
  for (const char* bad : {"", "2024-01-01", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z",
                          "yesterday", "2024-01-01T00:00:00Zjunk", "2024-01-01T25:00:00Z"})
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
}

TEST(EpochSeconds, KeepsFractionsAndScientificNotation) {
  auto t = from_epoch_seconds(1.636625755218E9);
  ASSERT_TRUE(t);
  EXPECT_EQ(format_iso8601(*t), "2021-11-11T10:15:55.218Z");
  EXPECT_FALSE(from_epoch_seconds(-1));
  EXPECT_FALSE(from_epoch_seconds(1e300));
}

TEST(Rfc1123, FormatsHttpDates) {
  using namespace std::chrono;
  sys_seconds t = sys_days{year{2016} / April / 4} + hours{8};
  EXPECT_EQ(format_rfc1123(t), "Mon, 04 Apr 2016 08:00:00 GMT");
}

}  // namespace
}  // namespace gd2s
