#include "aws/sts.h"

#include <pugixml.hpp>

#include "aws/service_call.h"
#include "aws/sigv4.h"

namespace gd2s::aws {
namespace {

std::string form(std::string_view key, std::string_view value) {
  return std::string(key) + "=" + uri_encode(value, false);
}

AwsCredentials parse_credentials(const http::Response& response, const std::string& action,
                                 const std::string& role_arn) {
  pugi::xml_document doc;
  doc.load_buffer(response.body.data(), response.body.size());
  if (response.status != 200) {
    pugi::xml_node error = doc.child("ErrorResponse").child("Error");
    std::string code = error.child_value("Code");
    std::string message = error.child_value("Message");
    throw CredentialsError(
        "STS " + action + " for " + role_arn + " failed: HTTP " + std::to_string(response.status) +
        (code.empty() ? "" : " " + code) + (message.empty() ? "" : " (" + message + ")") +
        (code == "AccessDenied" ? ": the role's trust policy must allow this caller (and the "
                                  "external id, if one is set)"
                                : ""));
  }
  pugi::xml_node credentials = doc.child((action + "Response").c_str())
                                   .child((action + "Result").c_str())
                                   .child("Credentials");
  AwsCredentials out;
  out.access_key_id = credentials.child_value("AccessKeyId");
  out.secret_access_key = Secret(credentials.child_value("SecretAccessKey"));
  out.session_token = Secret(credentials.child_value("SessionToken"));
  out.expiration = parse_iso8601(credentials.child_value("Expiration"));
  if (out.access_key_id.empty() || out.secret_access_key.empty())
    throw CredentialsError("STS " + action + " for " + role_arn +
                           " returned no credentials in its response");
  return out;
}

constexpr const char* kFormContentType = "application/x-www-form-urlencoded; charset=utf-8";

ServiceRequest form_post(const std::string& endpoint, const std::string& body) {
  return {"POST", endpoint + "/", "", {{"Content-Type", kFormContentType}}, body, {}};
}

http::Backoff sts_backoff() {
  return http::Backoff{std::chrono::milliseconds(200), std::chrono::seconds(5), 3};
}

}  // namespace

AwsCredentials assume_role(http::HttpClient& http, const std::string& endpoint,
                           const std::string& region, const AwsCredentials& source,
                           const AssumeRoleRequest& request) {
  std::string body = "Action=AssumeRole&Version=2011-06-15&" + form("RoleArn", request.role_arn) +
                     "&" + form("RoleSessionName", request.session_name) + "&" +
                     form("DurationSeconds", std::to_string(request.duration_seconds));
  if (!request.external_id.empty()) body += "&" + form("ExternalId", request.external_id);
  try {
    const SigningScope scope{region.empty() ? "us-east-1" : region, "sts", false};
    http::Response response = send_signed(
        http, [&] { return sign_request(form_post(endpoint, body), source, scope); }, sts_backoff(),
        {}, "STS AssumeRole for " + request.role_arn);
    AwsCredentials out = parse_credentials(response, "AssumeRole", request.role_arn);
    out.provider = "assume role " + request.role_arn;
    return out;
  } catch (const http::HttpError& error) {
    throw CredentialsError(error.what());  // names the call, redacted
  }
}

AwsCredentials assume_role_with_web_identity(http::HttpClient& http, const std::string& endpoint,
                                             const AssumeRoleRequest& request,
                                             const Secret& web_identity_token) {
  std::string body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&" +
                     form("RoleArn", request.role_arn) + "&" +
                     form("RoleSessionName", request.session_name) + "&" +
                     form("DurationSeconds", std::to_string(request.duration_seconds)) + "&" +
                     form("WebIdentityToken", web_identity_token.reveal());
  try {
    // Not signed: the web identity token is the proof.
    http::Response response = send_signed(
        http, [&] { return unsigned_request(form_post(endpoint, body)); }, sts_backoff(), {},
        "STS AssumeRoleWithWebIdentity for " + request.role_arn);
    AwsCredentials out = parse_credentials(response, "AssumeRoleWithWebIdentity", request.role_arn);
    out.provider = "web identity " + request.role_arn;
    return out;
  } catch (const http::HttpError& error) {
    throw CredentialsError(error.what());  // names the call, redacted
  }
}

}  // namespace gd2s::aws
