#pragma once
// [source.s3_listing]: GuardDuty's S3 export, read by listing the bucket.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/config_reader.h"
#include "core/duration.h"

namespace gd2s {

struct S3ListingConfig {
  std::string bucket;
  std::string prefix;
  std::string region;
  Duration interval = std::chrono::seconds(60);
  std::string since;
  std::string modified_after;  // RFC 3339 UTC; objects modified at or before it are not read
  std::vector<std::string> accounts;
  std::vector<std::string> regions;
  uint32_t shard_index = 0;
  uint32_t shard_count = 1;
  int64_t max_concurrent_objects = 8;
};

/// The keys of [source.s3_listing], as docs/configuration.md documents them.
std::span<const OptionDoc> s3_listing_options();
void read_s3_listing_config(TableReader& reader, S3ListingConfig& config);

}  // namespace gd2s
