// Logstash's sincedb: where the file is, and the times Ruby writes into it.

#include "migrate/logstash_sincedb.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace gd2s::migrate {
namespace {

std::string utc(const std::string& text) {
  auto t = parse_ruby_time(text);
  return t ? format_rfc3339(*t) : "(none)";
}

TEST(LogstashSincedb, DefaultPathIsTheMd5OfBucketPlusPrefixUnderPathData) {
  // printf '%s' 'acme-guardduty-exports+' | md5sum
  EXPECT_EQ(default_sincedb_path("/var/lib/logstash", "acme-guardduty-exports", ""),
            "/var/lib/logstash/plugins/inputs/s3/sincedb_0c9694670b216868bad9169eaa88692d");
  // printf '%s' 'acme-security+guardduty/' | md5sum
  EXPECT_EQ(default_sincedb_path("/usr/share/logstash/data/", "acme-security", "guardduty/"),
            "/usr/share/logstash/data/plugins/inputs/s3/sincedb_"
            "b108ac4b280dff6ab4c5cfd52292d80b");
}

TEST(LogstashSincedb, ReadsTheTimesRubyWritesAndIso8601) {
  EXPECT_EQ(utc("2026-09-14 10:22:33 UTC"), "2026-09-14T10:22:33Z");
  EXPECT_EQ(utc("2026-09-14 10:22:33 UTC\n"), "2026-09-14T10:22:33Z");
  EXPECT_EQ(utc("2026-09-14 10:22:33 +0000"), "2026-09-14T10:22:33Z");
  EXPECT_EQ(utc("2026-09-14 05:22:33 -0500"), "2026-09-14T10:22:33Z");
  EXPECT_EQ(utc("2026-09-14 12:22:33 +02:00"), "2026-09-14T10:22:33Z");
  EXPECT_EQ(utc("2026-09-14 10:22:33 GMT"), "2026-09-14T10:22:33Z");
  EXPECT_EQ(utc("2026-09-14T10:22:33Z"), "2026-09-14T10:22:33Z");
  EXPECT_EQ(utc("2026-09-14T12:22:33.25+02:00"), "2026-09-14T10:22:33.25Z");
  EXPECT_EQ(utc("2026-09-14 10:22:33"), "2026-09-14T10:22:33Z");
  EXPECT_EQ(utc("2026-09-14"), "(none)");
  EXPECT_EQ(utc("2026-09-14 10:22:33 CEST"), "(none)");
  EXPECT_EQ(utc("yesterday"), "(none)");
  EXPECT_EQ(utc(""), "(none)");
}

TEST(LogstashSincedb, ReadsAFileAndAnEmptyOneAsNoTime) {
  test::TempDir dir;
  test::write_file(dir.file("db"), "2026-09-14 05:22:33 -0500\n");
  SincedbReading reading = read_sincedb(dir.file("db"));
  ASSERT_TRUE(reading.time);
  EXPECT_EQ(format_rfc3339(*reading.time), "2026-09-14T10:22:33Z");
  EXPECT_EQ(reading.text, "2026-09-14 05:22:33 -0500");
  EXPECT_GT(reading.written, now_utc() - std::chrono::minutes(5));
  test::write_file(dir.file("empty"), "");
  EXPECT_FALSE(read_sincedb(dir.file("empty")).time);
  test::write_file(dir.file("junk"), "not a time\n");
  try {
    read_sincedb(dir.file("junk"));
    FAIL() << "junk was read as a time";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()), dir.file("junk") +
                                             ": \"not a time\" is not a time as Logstash writes it "
                                             "(\"2026-09-14 10:22:33 UTC\")");
  }
  EXPECT_THROW(read_sincedb(dir.file("absent")), std::runtime_error);
}

}  // namespace
}  // namespace gd2s::migrate
