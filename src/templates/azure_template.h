#pragma once
// The Azure side of a schema, generated from its columns: the data collection rule (kind
// Direct) with its input stream and transform, the custom table for a _CL schema, and the
// Monitoring Metrics Publisher role assignment for gd2sentinel's identity (REFERENCE §9).

#include <string>

#include "templates/deployment.h"
#include "transform/schema.h"

namespace gd2s::templates {

/// The built-in role that may post to a DCR (REFERENCE §7.6).
inline constexpr const char* kMonitoringMetricsPublisherRoleId =
    "3913510d-42f4-4e42-8a64-420c390055eb";

/// The longest transformKql a DCR accepts (REFERENCE §9.1).
inline constexpr size_t kMaxTransformChars = 15360;

/// The transformKql that turns the input stream into exactly the table's columns.
std::string transform_kql(const Schema& schema);

/// `existing_table`: the workspace already has the schema's _CL table (a classic table migrated
/// with Tables - Migrate, its columns completed by `gd2sentinel migrate table`), so the
/// deployment leaves it out and holds only the rule and the role; its columns and rows are not
/// touched. Only for schemas with a _CL table.
Deployment azure_deployment(const Schema& schema, bool existing_table = false);

}  // namespace gd2s::templates
