#pragma once
// `check` for [sink.logs_ingestion]: an Entra token, an empty post to the rule's stream (authorised
// and routed, nothing ingested), and through Resource Manager the rule's stream declaration and,
// for a table that must already exist, the table itself.

#include <string>
#include <vector>

#include "azure/azure_auth.h"
#include "azure/log_analytics_table.h"
#include "core/probe.h"
#include "http/http_client.h"
#include "sinks/logs_ingestion/config.h"

namespace gd2s {

/// What the rows will carry, as the schema says (the sink itself knows no schema).
struct RowShape {
  std::string schema;                       // "native" | "legacy": named in the advice
  std::vector<azure::TableColumn> columns;  // every column a row may carry, with its type
  /// Non-empty: a table the rows go to that may predate gd2sentinel (AWSGuardDuty_CL, made by
  /// the Data Collector API); it must be DCR-based and carry every column.
  std::string existing_table;
};

void probe_logs_ingestion(const LogsIngestionConfig& sink, const azure::AzureAuthOptions& azure,
                          const RowShape& rows, http::HttpClientPtr http, ProbeReport& report);

}  // namespace gd2s
