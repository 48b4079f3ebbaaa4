#include "sources/s3_listing/layout.h"

namespace gd2s {

std::vector<std::string> child_folders(aws::S3Client& s3, const std::string& bucket,
                                       const std::string& parent, std::stop_token stop) {
  std::vector<std::string> children;
  aws::ListRequest request{bucket, parent, "/", "", "", 1000};
  do {
    aws::ListPage page = s3.list_objects_v2(request, stop);
    for (const std::string& prefix : page.common_prefixes) {
      std::string child = prefix.substr(parent.size());
      if (child.ends_with('/')) child.pop_back();
      if (!child.empty()) children.push_back(child);
    }
    request.continuation_token = page.truncated ? page.next_continuation_token : "";
  } while (!request.continuation_token.empty() && !stop.stop_requested());
  return children;
}

std::vector<std::string> region_folders(aws::S3Client& s3, const std::string& bucket,
                                        const std::string& prefix,
                                        const std::vector<std::string>& accounts,
                                        const std::vector<std::string>& regions,
                                        std::stop_token stop) {
  std::string base = prefix + "AWSLogs/";
  std::vector<std::string> folders;
  for (const std::string& account :
       accounts.empty() ? child_folders(s3, bucket, base, stop) : accounts) {
    std::string guardduty = base + account + "/GuardDuty/";
    for (const std::string& region :
         regions.empty() ? child_folders(s3, bucket, guardduty, stop) : regions) {
      if (stop.stop_requested()) return folders;
      folders.push_back(guardduty + region + "/");
    }
  }
  return folders;
}

}  // namespace gd2s
