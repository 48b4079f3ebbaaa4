// From a Logs Ingestion request body to table rows: a JSON array of objects,
// each checked against the stream declaration's columns and types
// (REFERENCE.md §8.1, §9.1). Fields the stream does not declare are dropped,
// as the DCR's "source" transform only sees declared columns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config.h"
#include "store.h"

namespace wsemu {

struct IngestOutcome {
  int status = 204;     // 204, or 400 with code and message
  std::string code;
  std::string message;
  std::vector<std::string> columns;  // of the output table
  std::vector<std::vector<Cell>> rows;
  std::size_t ignored_fields = 0;    // members not declared by the stream
};

/// Parses `body` (modified in place) and builds the rows for `stream`.
IngestOutcome rows_from_body(std::string& body, const StreamDeclaration& stream,
                             const LogsIngestionSettings& settings, std::int64_t now);

/// A JSON value as the cell of a column of `type` (assumes it matches).
Cell cell_of(ColumnType type, const rapidjson::Value& value);

}  // namespace wsemu
