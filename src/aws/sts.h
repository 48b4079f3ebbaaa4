#pragma once
// The two STS calls behind role credentials (AWS Query protocol, XML responses).

#include <string>

#include "aws/credentials.h"
#include "http/http_client.h"

namespace gd2s::aws {

struct AssumeRoleRequest {
  std::string role_arn;
  std::string session_name;
  std::string external_id;  // optional
  int duration_seconds = 3600;
};

/// STS AssumeRole, signed with `source`. Throws CredentialsError naming the role and the cause.
AwsCredentials assume_role(http::HttpClient& http, const std::string& endpoint,
                           const std::string& region, const AwsCredentials& source,
                           const AssumeRoleRequest& request);

/// STS AssumeRoleWithWebIdentity (unsigned: the token is the proof).
AwsCredentials assume_role_with_web_identity(http::HttpClient& http, const std::string& endpoint,
                                             const AssumeRoleRequest& request,
                                             const Secret& web_identity_token);

}  // namespace gd2s::aws
