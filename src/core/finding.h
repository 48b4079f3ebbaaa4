#pragma once
// A decoded GuardDuty finding: the top-level fields typed, the nested `resource` and `service`
// kept as parsed JSON so nothing GuardDuty adds tomorrow is lost. A Finding views the memory
// of the decoder that produced it and is valid until that decoder decodes the next record.

#include <simdjson.h>

#include <optional>
#include <string_view>

#include "core/time.h"

namespace gd2s {

struct Finding {
  simdjson::dom::object root;  // the whole finding, for mappings that walk it

  std::string_view schema_version;
  std::string_view account_id;
  std::string_view region;
  std::string_view partition;  // may be empty
  std::string_view id;
  std::string_view arn;
  std::string_view type;
  std::string_view title;                           // may be empty
  std::string_view description;                     // may be empty
  std::string_view associated_attack_sequence_arn;  // may be empty
  double severity = 0;
  std::optional<double> confidence;
  Timestamp created_at{};
  Timestamp updated_at{};

  simdjson::dom::object resource;
  std::optional<simdjson::dom::object> service;

  // Facts drawn from the nested objects.
  std::string_view resource_type;  // resource.resourceType
  std::string_view action_type;    // service.action.actionType; empty for runtime findings
  std::string_view resource_role;  // service.resourceRole
  bool archived = false;           // service.archived
  bool sample = false;             // service.additionalInfo.sample, in either shape
};

/// The identity of one version of a finding: GuardDuty re-exports the same id on every update.
struct FindingVersion {
  std::string id;
  std::string updated_at;  // normalised ISO-8601, so "…:19Z" and "…:19.000Z" are one version
  bool operator==(const FindingVersion&) const = default;
};

}  // namespace gd2s
