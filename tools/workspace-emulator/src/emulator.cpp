#include "emulator.h"

#include <random>

namespace wsemu {

Emulator::Emulator(Config configuration, PKey signing_key, const std::string& database_path)
    : config(std::move(configuration)),
      signer(std::move(signing_key)),
      store(database_path),
      requests(config.request_log_size),
      faults(std::random_device{}()) {
  faults.replace(config.faults);
  define_tables();
}

void Emulator::define_tables() {
  for (const auto& dcr : config.dcrs) {
    for (const auto& flow : dcr.data_flows) {
      for (const auto& stream : flow.streams) {
        auto columns = dcr.streams.at(stream).columns;
        bool has_time = false;
        for (const auto& c : columns) has_time = has_time || c.name == "TimeGenerated";
        if (!has_time) columns.insert(columns.begin(), {"TimeGenerated", ColumnType::Datetime});
        store.define_table(flow.table, columns);
      }
    }
  }
}

}  // namespace wsemu
