#pragma once
// `check` for [source.s3_listing]: list the export folders the source would walk (its accounts
// and Regions) and read the first byte of the newest object there.

#include "aws/s3_client.h"
#include "core/probe.h"
#include "sources/s3_listing/config.h"

namespace gd2s {

void probe_s3_listing(aws::S3Client& s3, const S3ListingConfig& config, ProbeReport& report);

}  // namespace gd2s
