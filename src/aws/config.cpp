#include "aws/config.h"

#include <utility>

namespace gd2s {
namespace {

constexpr OptionDoc kOptions[] = {
    {"profile", "string", R"(`""`)"},         {"role_arn", "string", R"(`""`)"},
    {"external_id", "string", R"(`""`)"},     {"s3_endpoint", "URL", R"(`""`)"},
    {"sqs_endpoint", "URL", R"(`""`)"},       {"sts_endpoint", "URL", R"(`""`)"},
    {"guardduty_endpoint", "URL", R"(`""`)"}, {"s3_path_style", "boolean", "`false`"},
};

}  // namespace

std::span<const OptionDoc> aws_options() {
  return kOptions;
}

void read_aws_config(TableReader& r, AwsConfig& aws) {
  r.read("profile", aws.profile);
  r.read("role_arn", aws.role_arn);
  r.read("external_id", aws.external_id);
  r.read("s3_endpoint", aws.s3_endpoint);
  r.read("sqs_endpoint", aws.sqs_endpoint);
  r.read("sts_endpoint", aws.sts_endpoint);
  r.read("guardduty_endpoint", aws.guardduty_endpoint);
  r.read("s3_path_style", aws.s3_path_style);
  if (!aws.role_arn.empty() && !aws.role_arn.starts_with("arn:"))
    r.issue("role_arn", "must be a role ARN, e.g. \"arn:aws:iam::111122223333:role/gd2sentinel\"");
  for (const auto& [key, value] :
       {std::pair{"s3_endpoint", &aws.s3_endpoint}, std::pair{"sqs_endpoint", &aws.sqs_endpoint},
        std::pair{"sts_endpoint", &aws.sts_endpoint},
        std::pair{"guardduty_endpoint", &aws.guardduty_endpoint}}) {
    if (!value->empty() && !value->starts_with("https://") && !value->starts_with("http://"))
      r.issue(key, "must be a URL starting with https:// (or http:// for a local stand-in)");
  }
}

aws::EndpointOverrides endpoint_overrides(const AwsConfig& aws) {
  return {aws.s3_endpoint, aws.sqs_endpoint, aws.sts_endpoint, aws.guardduty_endpoint};
}

}  // namespace gd2s
