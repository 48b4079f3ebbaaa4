// Credentials from the platform: the ECS/EKS container endpoint and EC2 instance metadata.

#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "aws/credential_providers.h"
#include "core/redaction.h"
#include "http/retry.h"

namespace gd2s::aws {
namespace {

using namespace std::chrono_literals;

AwsCredentials parse_json_credentials(const std::string& body, const std::string& source) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc) || !doc.is_object())
    throw CredentialsError(source + " answered with something that is not a JSON object");
  auto text = [&](const char* key) {
    std::string_view value;
    return doc[key].get(value) ? std::string() : std::string(value);
  };
  AwsCredentials out{text("AccessKeyId"), Secret(text("SecretAccessKey")), Secret(text("Token")),
                     std::nullopt, source};
  if (std::string expiry = text("Expiration"); !expiry.empty())
    out.expiration = parse_iso8601(expiry);
  if (out.access_key_id.empty() || out.secret_access_key.empty())
    throw CredentialsError(source + " returned no AccessKeyId/SecretAccessKey" +
                           (text("Code").empty() ? "" : " (Code " + text("Code") + ")"));
  return out;
}

bool allowed_full_uri(const std::string& uri) {
  if (uri.starts_with("https://")) return true;
  for (const char* host : {"http://169.254.170.2", "http://169.254.170.23", "http://[fd00:ec2::23]",
                           "http://127.", "http://localhost", "http://[::1]"})
    if (uri.starts_with(host)) return true;
  return false;
}

class ContainerProvider final : public CredentialProvider {
 public:
  ContainerProvider(EnvLookup env, http::HttpClientPtr http)
      : env_(std::move(env)), http_(std::move(http)) {}
  std::string name() const override { return "container"; }
  AwsCredentials credentials() override {
    std::string relative = env_("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    std::string full = env_("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    std::string url;
    if (!relative.empty()) {
      url = "http://169.254.170.2" + relative;
    } else if (!full.empty()) {
      if (!allowed_full_uri(full))
        throw CredentialsError(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to the "
            "container endpoint or loopback");
      url = full;
    } else {
      throw CredentialsUnavailable(
          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI are not set");
    }
    http::Request request{"GET", url, {}, "", 2s};
    std::string token_file = env_("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (!token_file.empty()) {
      std::ifstream in(token_file);  // read afresh: EKS Pod Identity rotates it
      if (!in)
        throw CredentialsError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + token_file);
      std::stringstream buffer;
      buffer << in.rdbuf();
      std::string token = buffer.str();
      while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
      remember_secret(token);  // kept out of every message, whatever echoes it
      request.headers.emplace_back("Authorization", token);
    } else if (std::string token = env_("AWS_CONTAINER_AUTHORIZATION_TOKEN"); !token.empty()) {
      remember_secret(token);
      request.headers.emplace_back("Authorization", token);
    }
    try {
      http::Response response =
          http::send_with_retries(*http_, [&] { return request; }, {100ms, 1s, 3});
      if (response.status != 200)
        throw CredentialsError("the container credentials endpoint answered HTTP " +
                               std::to_string(response.status));
      return parse_json_credentials(response.body, "container credentials");
    } catch (const http::HttpError& error) {
      throw CredentialsError(std::string("container credentials endpoint: ") + error.what());
    }
  }

 private:
  EnvLookup env_;
  http::HttpClientPtr http_;
};

class ImdsProvider final : public CredentialProvider {
 public:
  ImdsProvider(EnvLookup env, http::HttpClientPtr http)
      : env_(std::move(env)), http_(std::move(http)) {}
  std::string name() const override { return "instance metadata (IMDSv2)"; }
  AwsCredentials credentials() override {
    std::string disabled = env_("AWS_EC2_METADATA_DISABLED");
    if (disabled == "true" || disabled == "TRUE" || disabled == "True")
      throw CredentialsUnavailable("AWS_EC2_METADATA_DISABLED is true");
    std::string endpoint = env_("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (endpoint.empty()) endpoint = "http://169.254.169.254";
    while (endpoint.ends_with('/')) endpoint.pop_back();
    http::Response token;
    try {
      token = http_->send({"PUT",
                           endpoint + "/latest/api/token",
                           {{"x-aws-ec2-metadata-token-ttl-seconds", "21600"}},
                           "",
                           1s});
    } catch (const http::HttpError& error) {
      throw CredentialsUnavailable(std::string("no instance metadata service: ") + error.what());
    }
    if (token.status != 200)
      throw CredentialsError("the instance metadata service refused an IMDSv2 token: HTTP " +
                             std::to_string(token.status));
    Secret session{token.body};
    http::Headers auth{{"x-aws-ec2-metadata-token", session.reveal()}};
    try {
      http::Response role = http_->send(
          {"GET", endpoint + "/latest/meta-data/iam/security-credentials/", auth, "", 1s});
      if (role.status == 404)
        throw CredentialsError("the instance has no IAM instance profile (role) attached");
      if (role.status != 200)
        throw CredentialsError("instance metadata: listing the role answered HTTP " +
                               std::to_string(role.status));
      std::string role_name = role.body.substr(0, role.body.find('\n'));
      http::Response creds =
          http_->send({"GET", endpoint + "/latest/meta-data/iam/security-credentials/" + role_name,
                       auth, "", 1s});
      if (creds.status != 200)
        throw CredentialsError("instance metadata: credentials for role " + role_name +
                               " answered HTTP " + std::to_string(creds.status));
      AwsCredentials out =
          parse_json_credentials(creds.body, "instance metadata (role " + role_name + ")");
      return out;
    } catch (const http::HttpError& error) {
      throw CredentialsError(std::string("instance metadata: ") + error.what());
    }
  }

 private:
  EnvLookup env_;
  http::HttpClientPtr http_;
};

}  // namespace

CredentialProviderPtr make_container_provider(EnvLookup env, http::HttpClientPtr http) {
  return std::make_shared<ContainerProvider>(std::move(env), std::move(http));
}

CredentialProviderPtr make_imds_provider(EnvLookup env, http::HttpClientPtr http) {
  return std::make_shared<ImdsProvider>(std::move(env), std::move(http));
}

}  // namespace gd2s::aws
