#pragma once
// The credential providers, in the order the AWS SDKs try them (REFERENCE §6.4), and the chain
// that tries them, caches what it gets and refreshes it before it expires.

#include <functional>
#include <mutex>
#include <vector>

#include "aws/credentials.h"
#include "aws/endpoints.h"
#include "http/http_client.h"

namespace gd2s::aws {

/// Where providers read their settings: the process environment by default, a map in tests.
using EnvLookup = std::function<std::string(const std::string& name)>;
EnvLookup process_env();

struct ChainOptions {
  std::string profile;      // [aws] profile; else AWS_PROFILE; else "default"
  std::string role_arn;     // [aws] role_arn: assume this role with the chain's credentials
  std::string external_id;  // [aws] external_id, for that role
  std::string region;       // for STS
  EndpointOverrides endpoints;
  EnvLookup env = process_env();
};

/// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (or AWS_SECURITY_TOKEN).
CredentialProviderPtr make_environment_provider(EnvLookup env);

/// The shared credentials and config files (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE): static
/// keys, credential_process, role_arn with source_profile or credential_source, and
/// web_identity_token_file, for the chosen profile.
CredentialProviderPtr make_profile_provider(const ChainOptions& options, http::HttpClientPtr http);

/// AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN through STS AssumeRoleWithWebIdentity (EKS IRSA).
/// The token file is read afresh for every call.
CredentialProviderPtr make_web_identity_provider(const ChainOptions& options,
                                                 http::HttpClientPtr http);

/// ECS/EKS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, with the
/// AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE) header.
CredentialProviderPtr make_container_provider(EnvLookup env, http::HttpClientPtr http);

/// EC2 instance metadata with IMDSv2 session tokens (AWS_EC2_METADATA_SERVICE_ENDPOINT overrides
/// the address; AWS_EC2_METADATA_DISABLED=true turns it off).
CredentialProviderPtr make_imds_provider(EnvLookup env, http::HttpClientPtr http);

/// Assumes `role_arn` (STS AssumeRole, signed with `source`'s credentials).
CredentialProviderPtr make_assume_role_provider(CredentialProviderPtr source, std::string role_arn,
                                                std::string external_id, std::string session_name,
                                                const ChainOptions& options,
                                                http::HttpClientPtr http);

/// Caches another provider's credentials; refreshes them five minutes before they expire, one
/// refresh at a time, keeping the old ones while they are still valid if a refresh fails.
CredentialProviderPtr make_caching_provider(CredentialProviderPtr inner);

/// Tries each provider in turn and sticks with the first that works. When none does, the error
/// names every provider with the reason it was skipped or failed.
CredentialProviderPtr make_chain(std::vector<CredentialProviderPtr> providers);

/// The default chain: environment, profile, web identity, container, instance metadata; then
/// [aws] role_arn on top if set; cached.
CredentialProviderPtr make_default_chain(const ChainOptions& options,
                                         const http::HttpClientPtr& http);

}  // namespace gd2s::aws
