#pragma once
// [aws]: the identity and endpoints every AWS source shares.

#include <span>
#include <string>

#include "aws/endpoints.h"
#include "core/config_reader.h"

namespace gd2s {

struct AwsConfig {
  std::string profile;
  std::string role_arn;
  std::string external_id;
  std::string s3_endpoint;
  std::string sqs_endpoint;
  std::string sts_endpoint;
  std::string guardduty_endpoint;
  bool s3_path_style = false;
};

/// The keys of [aws], as docs/configuration.md documents them.
std::span<const OptionDoc> aws_options();
void read_aws_config(TableReader& reader, AwsConfig& config);

/// The endpoint overrides, as the clients take them.
aws::EndpointOverrides endpoint_overrides(const AwsConfig& config);

}  // namespace gd2s
