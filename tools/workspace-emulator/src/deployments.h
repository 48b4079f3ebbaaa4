// What ARM requests change at run time: the data collection rules (those of the
// configuration and those deployed with PUT …/dataCollectionRules/{name}), role
// assignments (Monitoring Metrics Publisher on a rule), and the retention and plan
// the Tables API set. Handlers read them concurrently with the writes.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.h"
#include "thread_annotations.h"
#include "tokens.h"

namespace wsemu {

/// The role definition id (the last segment of roleDefinitionId) of Monitoring Metrics
/// Publisher, which lets a principal ingest through a data collection rule.
inline constexpr const char* kMonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

/// The emulator's data collection rules. Lookups return shared pointers, so a rule replaced
/// by a later PUT stays valid for the requests already using it.
class RuleSet {
 public:
  explicit RuleSet(const std::vector<DataCollectionRule>& configured);

  std::shared_ptr<const DataCollectionRule> find(std::string_view immutable_id) const;
  /// By ARM id, compared without regard to case.
  std::shared_ptr<const DataCollectionRule> find_by_resource_id(std::string_view resource_id) const;
  std::vector<std::shared_ptr<const DataCollectionRule>> all() const;

  /// Adds the rule, or replaces the one with the same ARM id; the replaced rule's immutable
  /// id, tenant, readers, publishers and rate limits are kept. Returns the rule as stored.
  std::shared_ptr<const DataCollectionRule> put(DataCollectionRule rule);

 private:
  mutable SharedMutex mutex_;
  std::vector<std::shared_ptr<const DataCollectionRule>> rules_ GUARDED_BY(mutex_);
};

struct RoleAssignment {
  std::string name;  // a GUID
  std::string scope;
  std::string role_definition_id;
  std::string principal_id;
  std::string principal_type;
  std::string created_by;
  std::string created_on;  // ISO 8601
};

class RoleAssignments {
 public:
  /// Stores the assignment (replacing one of the same name and scope). Returns false and
  /// leaves everything as it was when another assignment already gives the same principal
  /// the same role at the same scope (ARM's 409 RoleAssignmentExists).
  bool put(const RoleAssignment& assignment);

  /// Whether a Monitoring Metrics Publisher assignment at the resource or a scope above it
  /// (its resource group, its subscription) names the token's object id (or client id).
  bool publisher(std::string_view resource_id, const TokenCheck& token) const;

 private:
  mutable SharedMutex mutex_;
  std::vector<RoleAssignment> assignments_ GUARDED_BY(mutex_);
};

/// Retention and plan of a table as the Tables API last set them (not persisted).
struct TableSettings {
  std::string plan = "Analytics";
  std::optional<std::int64_t> retention_in_days;
  std::optional<std::int64_t> total_retention_in_days;
};

class TableSettingsMap {
 public:
  TableSettings get(const std::string& table) const;
  void set(const std::string& table, const TableSettings& settings);

 private:
  mutable SharedMutex mutex_;
  std::map<std::string, TableSettings> settings_ GUARDED_BY(mutex_);
};

/// Whether `scope` is `resource_id` or an ARM scope above it (compared without regard to case,
/// on segment boundaries).
bool scope_covers(std::string_view scope, std::string_view resource_id);

}  // namespace wsemu
