// HTTP dates (x-ms-date, Retry-After) and ISO 8601 date-times.
#include <gtest/gtest.h>

#include "time_util.h"

namespace wsemu {
namespace {

TEST(TimeUtil, ParsesAndFormatsRfc1123Dates) {
  EXPECT_EQ(parse_http_date("Mon, 04 Apr 2016 08:00:00 GMT"), 1459756800);
  EXPECT_EQ(format_http_date(1459756800), "Mon, 04 Apr 2016 08:00:00 GMT");
  EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(format_http_date(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  for (std::int64_t t = 0; t < 4'000'000'000; t += 86'399'777) EXPECT_EQ(parse_http_date(format_http_date(t)), t);
}

TEST(TimeUtil, RefusesOtherDateForms) {
  EXPECT_FALSE(parse_http_date("2016-04-04T08:00:00Z"));
  EXPECT_FALSE(parse_http_date("Mon, 4 Apr 2016 08:00:00 GMT"));
  EXPECT_FALSE(parse_http_date("Mon, 04 Apr 2016 08:00:00 UTC"));
  EXPECT_FALSE(parse_http_date("Xyz, 04 Apr 2016 08:00:00 GMT"));
  EXPECT_FALSE(parse_http_date("Mon, 31 Apr 2016 08:00:00 GMT"));
}

TEST(TimeUtil, ParsesIso8601WithZonesAndFractions) {
  EXPECT_EQ(parse_iso8601("2016-04-04T08:00:00Z"), 1459756800);
  EXPECT_EQ(parse_iso8601("2016-04-04T08:00:00.1234567Z"), 1459756800);
  EXPECT_EQ(parse_iso8601("2016-04-04T10:00:00+02:00"), 1459756800);
  EXPECT_EQ(parse_iso8601("2016-04-04 08:00"), 1459756800);
  EXPECT_FALSE(parse_iso8601("2016-04-04"));
  EXPECT_FALSE(parse_iso8601("2016-04-04T08:00:00.Z"));
  EXPECT_FALSE(parse_iso8601("2016-04-04T25:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2016-04-04T08:00:00Zjunk"));
  EXPECT_EQ(format_iso8601(1459756800), "2016-04-04T08:00:00Z");
  EXPECT_EQ(format_entra_timestamp(1459756800), "2016-04-04 08:00:00Z");
}

}  // namespace
}  // namespace wsemu
