// The legacy schema's flattener: any finding the decoder accepts becomes one AWSGuardDuty_CL
// row: a JSON object whose every key is a declared column of the table (what does not fit a
// column is carried inside one, never as a key of its own).
#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "decode/finding_decoder.h"
#include "transform/enrich.h"
#include "transform/legacy_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static gd2s::FindingDecoder decoder;
  static gd2s::LegacySchema schema;
  static simdjson::dom::parser row_parser;
  auto result = decoder.decode(std::string_view(reinterpret_cast<const char*>(data), size));
  const auto* finding = std::get_if<gd2s::Finding>(&result);
  if (finding == nullptr) return 0;
  std::string row;
  schema.write_row(*finding, gd2s::enrich(*finding), row);
  simdjson::dom::object object;
  if (row_parser.parse(row).get(object) != simdjson::SUCCESS) std::abort();
  for (auto field : object) {
    auto columns = schema.columns();
    if (std::none_of(columns.begin(), columns.end(),
                     [&](const gd2s::Column& column) { return column.name == field.key; }))
      std::abort();
  }
  return 0;
}
