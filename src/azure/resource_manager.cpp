#include "azure/resource_manager.h"

#include <simdjson.h>

#include <utility>

#include "core/redaction.h"

namespace gd2s::azure {

ArmError::ArmError(long status, std::string code, const std::string& message)
    : std::runtime_error(redact(message)), status_(status), code_(std::move(code)) {}

std::string arm_error_text(const http::Response& response) {
  simdjson::dom::parser parser;
  simdjson::dom::element body;
  std::string_view code, message;
  if (!parser.parse(response.body).get(body) && !body["error"]["code"].get(code)) {
    if (body["error"]["message"].get(message)) message = {};  // a code without a message
    return redact(std::string(code) + (message.empty() ? "" : ": " + std::string(message)));
  }
  std::string start = response.body.substr(0, 200);
  return redact(start.empty() ? "(no body)" : start);
}

ResourceManager::ResourceManager(std::string base_url, TokenProviderPtr tokens,
                                 http::HttpClientPtr http)
    : base_url_(std::move(base_url)), tokens_(std::move(tokens)), http_(std::move(http)) {
  while (base_url_.ends_with('/')) base_url_.pop_back();
}

std::string ResourceManager::call(const std::string& method, const std::string& resource_id,
                                  const std::string& api_version, const std::string& body) {
  AccessToken token = tokens_->token();
  http::Request request;
  request.method = method;
  request.url = base_url_ + resource_id + "?api-version=" + api_version;
  request.headers = {{"Authorization", "Bearer " + token.value.reveal()}};
  if (method != "GET" && method != "DELETE") {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = body;
  }
  request.timeout = std::chrono::seconds(60);
  http::Response response = http_->send(request);
  if (response.status / 100 == 2) return response.body;
  simdjson::dom::parser parser;
  simdjson::dom::element parsed;
  std::string_view code;
  std::string code_text;
  if (!parser.parse(response.body).get(parsed) && !parsed["error"]["code"].get(code))
    code_text = std::string(code);
  throw ArmError(response.status, code_text,
                 method + " " + resource_id + ": HTTP " + std::to_string(response.status) + " " +
                     arm_error_text(response));
}

ResourceManager make_resource_manager(const AzureAuthOptions& options, http::HttpClientPtr http) {
  CloudEndpoints cloud = cloud_endpoints(options.cloud);
  AzureAuthOptions management = options;
  management.scope = cloud.resource_manager + "/.default";
  std::string base =
      options.resource_manager.empty() ? cloud.resource_manager : options.resource_manager;
  return ResourceManager(base, make_token_provider(management, http), http);
}

}  // namespace gd2s::azure
