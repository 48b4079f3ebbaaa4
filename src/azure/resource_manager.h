#pragma once
// Azure Resource Manager: the management-plane calls gd2sentinel makes with its own identity
// (`check` reading a rule or a table, `migrate table`). One place for the token, the URL and
// ARM's error shape ({"error":{"code","message"}}), so callers speak in resources.

#include <stdexcept>
#include <string>

#include "azure/azure_auth.h"
#include "azure/token_provider.h"
#include "http/http_client.h"

namespace gd2s::azure {

/// ARM answered with a status other than 2xx. `what()` carries the status, ARM's error code and
/// its message (redacted), and the fix when one is known.
class ArmError : public std::runtime_error {
 public:
  ArmError(long status, std::string code, const std::string& message);
  long status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  long status_;
  std::string code_;
};

class ResourceManager {
 public:
  /// `base_url`: "https://management.azure.com" (or a stand-in); `tokens` must ask for the
  /// management scope of the same cloud.
  ResourceManager(std::string base_url, TokenProviderPtr tokens, http::HttpClientPtr http);

  /// Sends `method` to `resource_id` (an ARM id, "/subscriptions/…") with `api_version` and, for
  /// PUT/PATCH/POST, a JSON body. Returns the body of a 2xx answer; throws ArmError for any other
  /// answer and http::HttpError when there is none.
  std::string call(const std::string& method, const std::string& resource_id,
                   const std::string& api_version, const std::string& body = "");

 private:
  std::string base_url_;
  TokenProviderPtr tokens_;
  http::HttpClientPtr http_;
};

/// Resource Manager for the cloud of `options` (or its `resource_manager` override), signed in
/// as the configured identity with the management scope.
ResourceManager make_resource_manager(const AzureAuthOptions& options, http::HttpClientPtr http);

/// ARM's error body as "Code: message" (redacted), or the start of a body of another shape.
std::string arm_error_text(const http::Response& response);

}  // namespace gd2s::azure
