#pragma once
// [transform]: which schema rows are written in, which findings pass, how long dedupe remembers.

#include <span>

#include "core/config_reader.h"
#include "core/duration.h"
#include "transform/filter.h"
#include "transform/schema.h"

namespace gd2s {

struct TransformConfig {
  SchemaKind schema = SchemaKind::kNative;
  FilterOptions filter;
  Duration dedupe_window = std::chrono::hours(24 * 7);
};

/// The keys of [transform], as docs/configuration.md documents them.
std::span<const OptionDoc> transform_options();
void read_transform_config(TableReader& reader, TransformConfig& config);

}  // namespace gd2s
