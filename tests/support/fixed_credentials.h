#pragma once
// AWS credentials that never change (by default AKIDEXAMPLE and a made-up secret).

#include <memory>
#include <string>
#include <utility>

#include "aws/credentials.h"

namespace gd2s::test {

class FixedCredentials final : public aws::CredentialProvider {
 public:
  FixedCredentials()
      : FixedCredentials(aws::AwsCredentials{"AKIDEXAMPLE", Secret("secret/for/tests"), Secret(),
                                             std::nullopt, "fixed"}) {}
  explicit FixedCredentials(aws::AwsCredentials credentials)
      : credentials_(std::move(credentials)) {}
  aws::AwsCredentials credentials() override { return credentials_; }
  std::string name() const override { return "fixed"; }

 private:
  aws::AwsCredentials credentials_;
};

/// Fixed credentials with this key, secret and (when not empty) session token.
inline aws::CredentialProviderPtr fixed_credentials(const std::string& access_key_id,
                                                    const std::string& secret,
                                                    const std::string& token = "") {
  return std::make_shared<FixedCredentials>(
      aws::AwsCredentials{access_key_id, Secret(secret), Secret(token), std::nullopt, "fixed"});
}

}  // namespace gd2s::test
