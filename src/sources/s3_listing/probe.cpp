#include "sources/s3_listing/probe.h"

#include <optional>
#include <span>

#include "aws/operations.h"
#include "sources/s3_listing/layout.h"

namespace gd2s {
namespace {

// The newest export object: in each Region folder the last day folder (year, month, day: the
// last of each), then the latest LastModified there.
std::optional<aws::S3Object> newest_object(aws::S3Client& s3, const S3ListingConfig& source,
                                           const std::string& prefix) {
  std::optional<aws::S3Object> newest;
  for (const std::string& region :
       region_folders(s3, source.bucket, prefix, source.accounts, source.regions)) {
    std::string day = region;
    for (int level = 0; level < 3; ++level) {
      std::vector<std::string> next = child_folders(s3, source.bucket, day);
      if (next.empty()) break;
      day += next.back() + "/";
    }
    aws::ListRequest request{source.bucket, day, "", "", "", 1000};
    aws::ListPage page = s3.list_objects_v2(request);
    for (const aws::S3Object& object : page.objects)
      if (!newest || object.last_modified > newest->last_modified) newest = object;
  }
  return newest;
}

}  // namespace

void probe_s3_listing(aws::S3Client& s3, const S3ListingConfig& source, ProbeReport& report) {
  std::string prefix = source.prefix;
  if (!prefix.empty() && !prefix.ends_with('/')) prefix += '/';
  std::string where = "s3://" + source.bucket + "/" + source.prefix;
  std::optional<aws::S3Object> newest;
  try {
    newest = newest_object(s3, source, prefix);
    report.ok(std::string(aws::ops::kListObjectsV2.iam_action) + " on " + where +
              (source.prefix.empty() || source.prefix.ends_with('/') ? "" : "/") + "AWSLogs/");
  } catch (const std::exception& error) {
    report.fail(std::string(aws::ops::kListObjectsV2.iam_action) + " on " + where, error.what());
    return;
  }
  std::string what = std::string(aws::ops::kGetObject.iam_action) + " and " +
                     std::string(aws::ops::kDecryptExport.iam_action);
  if (!newest) {
    report.skip(what,
                "no export object yet (GuardDuty writes one about 5 minutes after a finding)");
    return;
  }
  try {
    auto stream = s3.get_object(source.bucket, newest->key, newest->etag, newest->size);
    char byte;
    stream->read(std::span<char>(&byte, 1));
    report.ok(what + " on the newest object, s3://" + source.bucket + "/" + newest->key + " (" +
              newest->last_modified + ")");
  } catch (const std::exception& error) {
    report.fail(what + " on s3://" + source.bucket + "/" + newest->key, error.what());
  }
}

}  // namespace gd2s
