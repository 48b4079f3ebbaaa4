#include "deployments.h"

#include <algorithm>

namespace wsemu {

RuleSet::RuleSet(const std::vector<DataCollectionRule>& configured) {
  for (const auto& rule : configured)
    rules_.push_back(std::make_shared<const DataCollectionRule>(rule));
}

std::shared_ptr<const DataCollectionRule> RuleSet::find(std::string_view immutable_id) const {
  ReaderLock lock(mutex_);
  for (const auto& rule : rules_) {
    if (rule->immutable_id == immutable_id) return rule;
  }
  return nullptr;
}

std::shared_ptr<const DataCollectionRule> RuleSet::find_by_resource_id(
    std::string_view resource_id) const {
  ReaderLock lock(mutex_);
  for (const auto& rule : rules_) {
    if (iequals(rule->resource_id, resource_id)) return rule;
  }
  return nullptr;
}

std::vector<std::shared_ptr<const DataCollectionRule>> RuleSet::all() const {
  ReaderLock lock(mutex_);
  return rules_;
}

std::shared_ptr<const DataCollectionRule> RuleSet::put(DataCollectionRule rule) {
  WriterLock lock(mutex_);
  for (auto& existing : rules_) {
    if (!iequals(existing->resource_id, rule.resource_id)) continue;
    rule.immutable_id = existing->immutable_id;
    rule.resource_id = existing->resource_id;
    rule.resource = existing->resource;
    rule.tenant_id = existing->tenant_id;
    rule.readers = existing->readers;
    rule.publishers = existing->publishers;
    rule.publishers_closed = existing->publishers_closed;
    rule.rate_limits = existing->rate_limits;
    existing = std::make_shared<const DataCollectionRule>(std::move(rule));
    return existing;
  }
  rules_.push_back(std::make_shared<const DataCollectionRule>(std::move(rule)));
  return rules_.back();
}

bool scope_covers(std::string_view scope, std::string_view resource_id) {
  while (!scope.empty() && scope.back() == '/') scope.remove_suffix(1);
  if (scope.size() > resource_id.size()) return false;
  if (!iequals(scope, resource_id.substr(0, scope.size()))) return false;
  return scope.size() == resource_id.size() || resource_id[scope.size()] == '/';
}

namespace {

std::string_view last_segment(std::string_view id) {
  const auto slash = id.rfind('/');
  return slash == std::string_view::npos ? id : id.substr(slash + 1);
}

}  // namespace

bool RoleAssignments::put(const RoleAssignment& assignment) {
  WriterLock lock(mutex_);
  for (const auto& existing : assignments_) {
    if (!iequals(existing.name, assignment.name) && iequals(existing.scope, assignment.scope) &&
        iequals(existing.principal_id, assignment.principal_id) &&
        iequals(last_segment(existing.role_definition_id),
                last_segment(assignment.role_definition_id))) {
      return false;
    }
  }
  for (auto& existing : assignments_) {
    if (iequals(existing.name, assignment.name) && iequals(existing.scope, assignment.scope)) {
      existing = assignment;
      return true;
    }
  }
  assignments_.push_back(assignment);
  return true;
}

bool RoleAssignments::publisher(std::string_view resource_id, const TokenCheck& token) const {
  ReaderLock lock(mutex_);
  return std::any_of(assignments_.begin(), assignments_.end(), [&](const RoleAssignment& a) {
    return iequals(last_segment(a.role_definition_id), kMonitoringMetricsPublisher) &&
           (iequals(a.principal_id, token.object_id) || iequals(a.principal_id, token.app_id)) &&
           scope_covers(a.scope, resource_id);
  });
}

TableSettings TableSettingsMap::get(const std::string& table) const {
  ReaderLock lock(mutex_);
  auto it = settings_.find(table);
  return it == settings_.end() ? TableSettings{} : it->second;
}

void TableSettingsMap::set(const std::string& table, const TableSettings& settings) {
  WriterLock lock(mutex_);
  settings_[table] = settings;
}

}  // namespace wsemu
