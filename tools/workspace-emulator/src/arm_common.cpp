// The pieces every Azure Resource Manager endpoint of the emulator shares (arm_common.h).
#include "arm_common.h"

#include <algorithm>
#include <cctype>

#include "http_util.h"
#include "time_util.h"

namespace wsemu {
namespace {

/// Epoch seconds as .NET prints a UTC time in ARM's messages: "6/15/2026 8:22:51 AM".
std::string arm_time(std::int64_t epoch_seconds) {
  const std::string iso = format_iso8601(epoch_seconds);  // 2026-06-15T08:22:51Z
  const int year = std::stoi(iso.substr(0, 4));
  const int month = std::stoi(iso.substr(5, 2));
  const int day = std::stoi(iso.substr(8, 2));
  const int hour = std::stoi(iso.substr(11, 2));
  const int hour12 = hour % 12 == 0 ? 12 : hour % 12;
  return std::to_string(month) + "/" + std::to_string(day) + "/" + std::to_string(year) + " " +
         std::to_string(hour12) + iso.substr(13, 6) + (hour < 12 ? " AM" : " PM");
}

/// The Entra authority ARM names in InvalidAuthenticationTokenTenant (REFERENCE §7.1 per cloud).
std::string authority_of(const std::string& cloud) {
  if (cloud == "usgovernment") return "https://login.microsoftonline.us";
  if (cloud == "china") return "https://login.partner.microsoftonline.cn";
  return "https://login.windows.net";
}

void unauthorized(httplib::Response& response, const TokenCheck& token, const ArmSettings& settings,
                  std::int64_t now, RequestRecord& record) {
  switch (token.failure) {
    case TokenFailure::MissingHeader:
      return set_arm_error(response, 401, "AuthenticationFailed",
                           "Authentication failed. The 'Authorization' header is missing.", record);
    case TokenFailure::NotBearer:
      return set_arm_error(
          response, 401, "AuthenticationFailedInvalidHeader",
          "Authentication failed. The 'Authorization' header is provided in an invalid format.",
          record);
    case TokenFailure::Expired:
      return set_arm_error(response, 401, "ExpiredAuthenticationToken",
                           "The access token expiry UTC time '" + arm_time(token.expires_at) +
                               "' is earlier than current UTC time '" + arm_time(now) + "'.",
                           record);
    case TokenFailure::WrongAudience: {
      std::string allowed;
      for (const auto& audience : settings.audiences) {
        const std::string bare = normalize_resource(audience);
        allowed += (allowed.empty() ? "'" : ",'") + bare + "/','" + bare + "'";
      }
      return set_arm_error(
          response, 401, "InvalidAuthenticationTokenAudience",
          "The access token has been obtained for wrong audience or resource '" + token.audience +
              "'. It should exactly match with one of the allowed audiences " + allowed + ".",
          record);
    }
    case TokenFailure::None:
    case TokenFailure::Malformed:
    case TokenFailure::BadSignature:
    case TokenFailure::NotYetValid:
      break;
  }
  set_arm_error(response, 401, "InvalidAuthenticationToken", "The access token is invalid.",
                record);
}

}  // namespace

/// A regular expression matching `literal` in any case ("ab.c" → "[aA][bB]\.[cC]").
std::string any_case(std::string_view literal) {
  std::string out;
  for (const char c : literal) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) {
      out += '[';
      out += static_cast<char>(std::toupper(u));
      out += static_cast<char>(std::tolower(u));
      out += ']';
    } else if (c == '.') {
      out += "\\.";
    } else {
      out += c;
    }
  }
  return out;
}

std::string arm_resource_pattern(std::string_view provider, std::string_view type) {
  return "/" + any_case("subscriptions") + "/([^/]+)/" + any_case("resourceGroups") + "/([^/]+)/" +
         any_case("providers") + "/" + any_case(provider) + "/" + any_case(type) + "/([^/]+)";
}

std::optional<TokenCheck> begin_arm_request(const httplib::Request& request,
                                            httplib::Response& response, Emulator& emulator,
                                            RequestRecord& record,
                                            const std::vector<std::string>& api_versions) {
  const std::string correlation = request.get_header_value("x-ms-correlation-request-id");
  response.set_header("x-ms-correlation-request-id",
                      correlation.empty() ? record.request_id : correlation);
  if (apply_fault(emulator, Endpoint::Arm, request, response, record)) return std::nullopt;
  const auto& settings = emulator.config.arm;

  // The api-version first: ARM answers a missing one even to a request without a token.
  const std::string api_version = request.get_param_value("api-version");
  if (api_version.empty()) {
    set_arm_error(response, 400, "MissingApiVersionParameter",
                  "The api-version query parameter (?api-version=) is required for all requests.",
                  record);
    return std::nullopt;
  }
  if (std::find(api_versions.begin(), api_versions.end(), api_version) == api_versions.end()) {
    std::string supported;
    for (const auto& v : api_versions) supported += (supported.empty() ? "" : ",") + v;
    set_arm_error(response, 400, "InvalidApiVersionParameter",
                  "The api-version '" + api_version + "' is invalid. The supported versions are '" +
                      supported + "'.",
                  record);
    return std::nullopt;
  }

  const std::int64_t now = now_epoch_seconds();
  TokenCheck token = emulator.signer.verify_bearer(request.get_header_value("Authorization"),
                                                   settings.audiences, now);
  if (!token.ok) {
    unauthorized(response, token, settings, now, record);
    return std::nullopt;
  }
  return token;
}

bool check_arm_scope(const Emulator& emulator, const TokenCheck& token,
                     const std::string& subscription, const std::string& group,
                     httplib::Response& response, RequestRecord& record) {
  // A subscription "exists" when a rule or a workspace lives in it; it belongs to the tenant
  // they name.
  bool subscription_known = false;
  bool group_known = false;
  std::optional<std::string> subscription_tenant;
  for (const auto& dcr : emulator.rules.all()) {
    if (!iequals(dcr->resource.subscription, subscription)) continue;
    subscription_known = true;
    group_known = group_known || iequals(dcr->resource.resource_group, group);
    if (!subscription_tenant && dcr->tenant_id) subscription_tenant = dcr->tenant_id;
  }
  for (const auto& workspace : emulator.config.workspaces) {
    if (workspace.resource_id.empty() || !iequals(workspace.resource.subscription, subscription))
      continue;
    subscription_known = true;
    group_known = group_known || iequals(workspace.resource.resource_group, group);
    if (!subscription_tenant && workspace.tenant_id) subscription_tenant = workspace.tenant_id;
  }
  if (!subscription_known) {
    set_arm_error(response, 404, "SubscriptionNotFound",
                  "The subscription '" + subscription + "' could not be found.", record);
    return false;
  }
  if (subscription_tenant && !iequals(*subscription_tenant, token.tenant_id)) {
    set_arm_error(
        response, 401, "InvalidAuthenticationTokenTenant",
        "The access token is from the wrong issuer '" + token.issuer +
            "'. It must match the tenant 'https://sts.windows.net/" + *subscription_tenant +
            "/' associated with this subscription. Please use the authority (URL) '" +
            authority_of(emulator.config.cloud) + "/" + *subscription_tenant +
            "' to get the token. Note, if the subscription is transferred to another tenant there "
            "is no impact to the "
            "services, but information about new tenant could take time to propagate (up to an "
            "hour). If you just "
            "transferred your subscription and see this error message, please try back later.",
        record);
    return false;
  }
  if (!group.empty() && !group_known) {
    set_arm_error(response, 404, "ResourceGroupNotFound",
                  "Resource group '" + group + "' could not be found.", record);
    return false;
  }
  return true;
}

void arm_authorization_failed(httplib::Response& response, const TokenCheck& token,
                              std::string_view action, std::string_view scope,
                              RequestRecord& record) {
  set_arm_error(response, 403, "AuthorizationFailed",
                "The client '" + token.object_id + "' with object id '" + token.object_id +
                    "' does not have authorization to perform action '" + std::string(action) +
                    "' over scope '" + std::string(scope) +
                    "' or the scope is invalid. If access was recently granted, please refresh "
                    "your credentials.",
                record);
}

void arm_resource_not_found(httplib::Response& response, std::string_view type,
                            std::string_view name, std::string_view group, RequestRecord& record) {
  set_arm_error(response, 404, "ResourceNotFound",
                "The Resource '" + std::string(type) + "/" + std::string(name) +
                    "' under resource group '" + std::string(group) +
                    "' was not found. For more details please go to "
                    "https://aka.ms/ARMResourceNotFoundFix",
                record);
}

bool names_principal(const std::vector<std::string>& principals, const TokenCheck& token) {
  return std::any_of(principals.begin(), principals.end(), [&](const std::string& p) {
    return iequals(p, token.object_id) || iequals(p, token.app_id);
  });
}

void write_rule(JsonWriter& w, const DataCollectionRule& dcr, const Emulator& emulator) {
  w.StartObject();
  write_member(w, "id", dcr.resource_id);
  write_member(w, "name", dcr.resource.name);
  write_member(w, "type", "Microsoft.Insights/dataCollectionRules");
  write_member(w, "location", dcr.location);
  write_member(w, "kind", "Direct");
  write_string(w, "properties");
  w.StartObject();
  write_member(w, "immutableId", dcr.immutable_id);
  write_string(w, "endpoints");
  w.StartObject();
  write_member(w, "logsIngestion", emulator.https_url);
  w.EndObject();
  write_string(w, "streamDeclarations");
  w.StartObject();
  for (const auto& [name, stream] : dcr.streams) {
    write_string(w, name);
    w.StartObject();
    write_string(w, "columns");
    write_columns(w, stream.columns);
    w.EndObject();
  }
  w.EndObject();
  write_string(w, "destinations");
  w.StartObject();
  write_string(w, "logAnalytics");
  w.StartArray();
  std::vector<std::string> destinations;
  for (const auto& flow : dcr.data_flows) {
    for (const auto& d : flow.destinations) {
      if (std::find(destinations.begin(), destinations.end(), d) == destinations.end())
        destinations.push_back(d);
    }
  }
  for (const auto& d : destinations) {
    w.StartObject();
    write_member(w, "workspaceResourceId", dcr.workspace_resource_id);
    write_member(w, "name", d);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  write_string(w, "dataFlows");
  w.StartArray();
  for (const auto& flow : dcr.data_flows) {
    w.StartObject();
    write_string(w, "streams");
    w.StartArray();
    for (const auto& s : flow.streams) write_string(w, s);
    w.EndArray();
    write_string(w, "destinations");
    w.StartArray();
    for (const auto& d : flow.destinations) write_string(w, d);
    w.EndArray();
    write_member(w, "transformKql", flow.transform_kql);
    write_member(w, "outputStream", flow.output_stream);
    w.EndObject();
  }
  w.EndArray();
  write_member(w, "provisioningState", "Succeeded");
  w.EndObject();
  w.EndObject();
}

bool parse_arm_object(const httplib::Request& request, httplib::Response& response,
                      RequestRecord& record, rapidjson::Document& doc) {
  doc.Parse(request.body.data(), request.body.size());
  if (!doc.HasParseError() && doc.IsObject()) return true;
  set_arm_error(response, 400, "InvalidRequestContent",
                "The request content was invalid and could not be deserialized: the body is not a "
                "JSON object.",
                record);
  return false;
}

void write_columns(JsonWriter& w, const std::vector<StoredColumn>& columns) {
  w.StartArray();
  for (const auto& column : columns) {
    w.StartObject();
    write_member(w, "name", column.name);
    write_member(w, "type", to_string(column.type));
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace wsemu
