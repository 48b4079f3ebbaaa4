#include "app/components.h"

#include "app/registry.h"

namespace gd2s {

SourceParts make_source(const Config& config, StateStore& state, bool once,
                        http::HttpClientPtr http) {
  return source_kind(config).make(config, state, once, std::move(http));
}

SinkParts make_sink(const Config& config, http::HttpClientPtr http) {
  return sink_kind(config).make(config, std::move(http));
}

std::vector<azure::TableColumn> table_columns(const Schema& schema) {
  std::vector<azure::TableColumn> columns;
  for (const Column& column : schema.columns())
    columns.push_back({std::string(column.name), std::string(column_type_name(column.type))});
  return columns;
}

}  // namespace gd2s
