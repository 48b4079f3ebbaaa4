// Where the s3_listing source starts its listing: the configured since, else the day before the
// last object it committed, else the beginning.

#include <gtest/gtest.h>

#include "sources/s3_listing/source.h"

namespace gd2s {
namespace {

TEST(S3ListingStartAfter, SinceWinsElseTheDayBeforeModifiedAfterElseNothing) {
  const std::string base = "p/AWSLogs/111122223333/GuardDuty/eu-west-1/";
  auto at = [](const char* text) { return parse_iso8601(text); };
  EXPECT_EQ(listing_start_after(base, "", std::nullopt), "");
  EXPECT_EQ(listing_start_after(base, "2026-03-05", std::nullopt), base + "2026/03/05");
  EXPECT_EQ(listing_start_after(base, "2026-03-05", at("2026-09-14T10:22:33Z")),
            base + "2026/03/05");
  EXPECT_EQ(listing_start_after(base, "", at("2026-09-14T10:22:33Z")), base + "2026/09/13");
  EXPECT_EQ(listing_start_after(base, "", at("2026-09-14T00:00:00Z")), base + "2026/09/13");
  EXPECT_EQ(listing_start_after(base, "", at("2026-03-01T23:59:59.999Z")), base + "2026/02/28");
  EXPECT_EQ(listing_start_after(base, "", at("2028-03-01T00:00:01Z")), base + "2028/02/29");
  EXPECT_EQ(listing_start_after(base, "", at("2027-01-01T08:00:00Z")), base + "2026/12/31");
}

}  // namespace
}  // namespace gd2s
