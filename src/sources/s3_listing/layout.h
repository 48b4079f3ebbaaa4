#pragma once
// GuardDuty's export layout, [prefix/]AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/, as the
// source walks it and `check` probes it.

#include <stop_token>
#include <string>
#include <vector>

#include "aws/s3_client.h"

namespace gd2s {

/// The names of the folders directly under `parent` ("123456789012", not the whole key).
std::vector<std::string> child_folders(aws::S3Client& s3, const std::string& bucket,
                                       const std::string& parent, std::stop_token stop = {});

/// The export folders of each Region of each account, "…/AWSLogs/<account>/GuardDuty/<region>/":
/// the accounts and Regions given, or (empty) all found. `prefix` ends with '/' or is empty.
std::vector<std::string> region_folders(aws::S3Client& s3, const std::string& bucket,
                                        const std::string& prefix,
                                        const std::vector<std::string>& accounts,
                                        const std::vector<std::string>& regions,
                                        std::stop_token stop = {});

}  // namespace gd2s
