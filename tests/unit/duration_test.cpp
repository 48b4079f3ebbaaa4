#include "core/duration.h"

#include <gtest/gtest.h>

namespace gd2s {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesUnitsAndCompounds) {
  EXPECT_EQ(parse_duration("500ms"), Duration(500));
  EXPECT_EQ(parse_duration("30s"), Duration(30s));
  EXPECT_EQ(parse_duration("5m"), Duration(5min));
  EXPECT_EQ(parse_duration("1h30m"), Duration(90min));
  EXPECT_EQ(parse_duration("7d"), Duration(168h));
  EXPECT_EQ(parse_duration("0s"), Duration(0));
}

TEST(Duration, RefusesAnythingElse) {
  for (const char* bad : {"", "30", "s", "5 m", "1.5h", "-5s", "5w", "5S", "99999999999999999d"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(Duration, FormatsBackToTheShortestText) {
  EXPECT_EQ(format_duration(Duration(168h)), "7d");
  EXPECT_EQ(format_duration(Duration(90min)), "1h30m");
  EXPECT_EQ(format_duration(Duration(1500)), "1s500ms");
  EXPECT_EQ(format_duration(Duration(0)), "0s");
}

}  // namespace
}  // namespace gd2s
