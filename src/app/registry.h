#pragma once
// The sources and sinks gd2sentinel has, one row each: the table it reads ([source.<name>] or
// [sink.<name>]), the options it documents, how its config is read, how it is built for a run,
// and how `check` probes it. Adding a component is adding a row.

#include <span>
#include <string_view>

#include "app/components.h"
#include "app/config.h"
#include "core/config_reader.h"
#include "core/probe.h"

namespace gd2s {

struct SourceKind {
  std::string_view name;
  std::span<const OptionDoc> (*options)();
  void (*read)(TableReader& reader, Config& config);
  /// `once`: one pass (s3_listing, guardduty_api) or until the queue is drained (sqs).
  SourceParts (*make)(const Config& config, StateStore& state, bool once, http::HttpClientPtr http);
  /// With the parts make() built (their AWS credentials already tried and good).
  void (*probe)(const Config& config, SourceParts& parts, ProbeReport& report);
};

struct SinkKind {
  std::string_view name;
  std::span<const OptionDoc> (*options)();
  void (*read)(TableReader& reader, Config& config, ConfigUse use);
  SinkParts (*make)(const Config& config, http::HttpClientPtr http);
  void (*probe)(const Config& config, http::HttpClientPtr http, ProbeReport& report);
};

[[nodiscard]] std::span<const SourceKind> source_kinds();
[[nodiscard]] std::span<const SinkKind> sink_kinds();
/// The kind a loaded config names (load_config guarantees exactly one of each).
[[nodiscard]] const SourceKind& source_kind(const Config& config);
[[nodiscard]] const SinkKind& sink_kind(const Config& config);

}  // namespace gd2s
