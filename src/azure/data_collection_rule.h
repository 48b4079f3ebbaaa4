#pragma once
// A data collection rule as Resource Manager returns it: what `check` compares with the schema.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "azure/log_analytics_table.h"
#include "azure/resource_manager.h"

namespace gd2s::azure {

/// The rule's JSON (Data Collection Rules - Get). Throws ArmError / http::HttpError.
std::string read_data_collection_rule(ResourceManager& arm, const std::string& rule_id);

/// The columns the rule declares for `stream`; nullopt when it declares no such stream.
std::optional<std::vector<TableColumn>> declared_columns(std::string_view rule_json,
                                                         const std::string& stream);

/// The wanted columns a declaration lacks or types differently ("X is not declared",
/// "X is declared string, the schema sends long"): rows would lose them silently.
std::vector<std::string> declaration_gaps(const std::vector<TableColumn>& declared,
                                          const std::vector<TableColumn>& wanted);

}  // namespace gd2s::azure
