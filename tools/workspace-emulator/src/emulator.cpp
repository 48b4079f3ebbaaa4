#include "emulator.h"

#include <random>

namespace wsemu {

Emulator::Emulator(Config configuration, PKey signing_key, const std::string& database_path)
    : config(std::move(configuration)),
      rules(config.dcrs),
      signer(std::move(signing_key)),
      store(database_path),
      requests(config.request_log_size),
      faults(std::random_device{}()) {
  faults.replace(config.faults);
  define_tables();
}

void Emulator::define_tables() {
  for (const auto& workspace : config.workspaces) {
    for (const auto& table : workspace.tables) {
      auto columns = table.columns;
      bool has_time = false;
      for (const auto& c : columns) has_time = has_time || c.name == "TimeGenerated";
      if (!has_time) columns.insert(columns.begin(), {"TimeGenerated", ColumnType::Datetime});
      const auto existing = store.find_table(table.name);
      store.define_table(existing ? existing->name : table.name, columns, table.sub_type);
    }
  }
  for (const auto& dcr : config.dcrs) {
    for (const auto& flow : dcr.data_flows) {
      const auto existing = store.find_table(flow.table);
      if (existing && existing->sub_type == TableSubType::Classic) {
        throw ConfigError("dcr " + dcr.immutable_id + ": sends " + flow.output_stream +
                          " to table " + existing->name +
                          ", which the database holds as a classic custom log table (created by "
                          "the Data Collector API); migrate it (Tables - Migrate) first");
      }
      for (const auto& stream : flow.streams) {
        auto columns = dcr.streams.at(stream).columns;
        bool has_time = false;
        for (const auto& c : columns) has_time = has_time || c.name == "TimeGenerated";
        if (!has_time) columns.insert(columns.begin(), {"TimeGenerated", ColumnType::Datetime});
        store.define_table(flow.table, columns, TableSubType::DataCollectionRuleBased);
      }
    }
  }
  store.settle_sub_types();
}

}  // namespace wsemu
