#include "sources/s3_listing/config.h"

#include <algorithm>

namespace gd2s {
namespace {

constexpr OptionDoc kOptions[] = {
    {"bucket", "string", "(required)"},
    {"prefix", "string", R"(`""`)"},
    {"region", "string", "(required)"},
    {"interval", "duration", R"(`"60s"`)"},
    {"since", R"(date `"YYYY-MM-DD"`)", R"(`""`)"},
    {"modified_after", R"(UTC time, RFC 3339 (`"2026-09-14T10:22:33Z"`))", R"(`""`)"},
    {"accounts", "list", "`[]` (all found)"},
    {"regions", "list", "`[]` (all found)"},
    {"shard", R"(`"i/N"`)", R"(`"0/1"`)"},
    {"max_concurrent_objects", "whole number, 1–256", "`8`"},
};

}  // namespace

std::span<const OptionDoc> s3_listing_options() {
  return kOptions;
}

void read_s3_listing_config(TableReader& r, S3ListingConfig& s3) {
  r.read("bucket", s3.bucket);
  r.read("prefix", s3.prefix);
  r.read("region", s3.region);
  r.read("interval", s3.interval);
  r.read("since", s3.since);
  r.read("modified_after", s3.modified_after);
  r.read("accounts", s3.accounts);
  r.read("regions", s3.regions);
  std::string shard = "0/1";
  r.read("shard", shard);
  r.read("max_concurrent_objects", s3.max_concurrent_objects);
  if (s3.bucket.empty()) r.issue("bucket", "is required: the bucket GuardDuty exports findings to");
  if (s3.region.empty())
    r.issue("region", "is required: the bucket's AWS Region, e.g. \"eu-west-1\"");
  if (!s3.since.empty() && !is_date(s3.since))
    r.issue("since", "must be a date such as \"2026-01-01\", not \"" + s3.since + "\"");
  if (!s3.modified_after.empty() && !is_utc_time(s3.modified_after))
    r.issue("modified_after",
            "must be a UTC time in RFC 3339 form such as \"2026-09-14T10:22:33Z\", not \"" +
                s3.modified_after + "\"");
  for (const std::string& account : s3.accounts)
    if (account.size() != 12 || account.find_first_not_of("0123456789") != std::string::npos)
      r.issue("accounts", "\"" + account + "\" is not a 12-digit AWS account id");
  size_t slash = shard.find('/');
  unsigned long index = 0, count = 0;
  bool shard_ok = slash != std::string::npos && slash > 0 && slash + 1 < shard.size() &&
                  shard.find_first_not_of("0123456789/") == std::string::npos;
  if (shard_ok) {
    index = std::stoul(shard.substr(0, slash));
    count = std::stoul(shard.substr(slash + 1));
    shard_ok = count >= 1 && index < count && count <= 1024;
  }
  if (!shard_ok)
    r.issue("shard",
            "must be \"i/N\" with 0 <= i < N <= 1024 (this instance's share of the keys), not \"" +
                shard + "\"");
  s3.shard_index = static_cast<uint32_t>(index);
  s3.shard_count = static_cast<uint32_t>(std::max(1ul, count));
  if (s3.max_concurrent_objects < 1 || s3.max_concurrent_objects > 256)
    r.issue("max_concurrent_objects", "must be between 1 and 256");
  if (s3.interval < std::chrono::seconds(1)) r.issue("interval", "must be at least 1s");
}

}  // namespace gd2s
