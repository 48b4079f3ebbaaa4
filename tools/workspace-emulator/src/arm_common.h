// What the Azure Resource Manager endpoints share (arm.cpp: data collection rules and role
// assignments; arm_tables.cpp: Log Analytics tables): case-insensitive path patterns, the
// request preamble (correlation id, injected faults, api-version, bearer token), the
// subscription and resource group checks, ARM's 403 and 404 texts, and a rule's JSON.
#pragma once

#include <httplib.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator.h"
#include "json_util.h"
#include "request_log.h"
#include "tokens.h"

namespace wsemu {

/// A regular expression matching `literal` in any case ("ab.c" → "[aA][bB]\.[cC]").
std::string any_case(std::string_view literal);

/// /subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/{provider}/{type}/([^/]+), the fixed
/// segments in any case (matches 1–3: subscription, group, name).
std::string arm_resource_pattern(std::string_view provider, std::string_view type);

/// Echoes x-ms-correlation-request-id, applies injected faults (Endpoint::Arm), checks the
/// api-version against `api_versions` and the bearer token against the ARM audiences. Answers
/// and returns nullopt when one of them refuses the request; else returns the token.
std::optional<TokenCheck> begin_arm_request(const httplib::Request& request,
                                            httplib::Response& response, Emulator& emulator,
                                            RequestRecord& record,
                                            const std::vector<std::string>& api_versions);

/// The subscription (it "exists" when a rule or a workspace with a resource_id lives in it, and
/// belongs to the tenant these name), the token's tenant, and the resource group. Answers and
/// returns false on 404 SubscriptionNotFound, 401 InvalidAuthenticationTokenTenant or 404
/// ResourceGroupNotFound. An empty `group` checks the subscription alone.
bool check_arm_scope(const Emulator& emulator, const TokenCheck& token,
                     const std::string& subscription, const std::string& group,
                     httplib::Response& response, RequestRecord& record);

/// 403 AuthorizationFailed for `action` over `scope`, in ARM's words.
void arm_authorization_failed(httplib::Response& response, const TokenCheck& token,
                              std::string_view action, std::string_view scope,
                              RequestRecord& record);

/// 404 ResourceNotFound for a resource of `type` (e.g. "Microsoft.OperationalInsights/
/// workspaces") named `name` in resource group `group`.
void arm_resource_not_found(httplib::Response& response, std::string_view type,
                            std::string_view name, std::string_view group, RequestRecord& record);

/// Whether `principals` (object ids or client ids) names the token's principal.
bool names_principal(const std::vector<std::string>& principals, const TokenCheck& token);

/// A data collection rule as ARM answers a GET of it (REFERENCE §9.1).
void write_rule(JsonWriter& w, const DataCollectionRule& dcr, const Emulator& emulator);

/// Parses a request body that must be one JSON object; otherwise answers ARM's 400
/// InvalidRequestContent and returns false.
bool parse_arm_object(const httplib::Request& request, httplib::Response& response,
                      RequestRecord& record, rapidjson::Document& doc);

/// `[{"name","type"}, …]`: a column list as stream declarations and the admin API show it.
void write_columns(JsonWriter& w, const std::vector<StoredColumn>& columns);

/// GET, PUT and POST …/workspaces/{ws}/tables/{table}[/migrate] (arm_tables.cpp).
void register_arm_tables(httplib::Server& server, Emulator& emulator);

}  // namespace wsemu
