#include "transform/legacy_schema.h"

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/json_text.h"
#include "core/time.h"

namespace gd2s {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::array kColumns = std::to_array<Column>({
    {"TimeGenerated", ColumnType::kDateTime, "The finding's updatedAt"},
    {"Severity", ColumnType::kReal, "The finding's severity, as the classic queries read it"},
    {"SeverityLabel_s", ColumnType::kString, "Low, Medium, High or Critical"},
    {"ThreatPurpose_s", ColumnType::kString, "The first part of the finding type"},
    {"Tactics_s", ColumnType::kString, "MITRE ATT&CK tactics (Sentinel names), comma-separated"},
    {"Techniques_s", ColumnType::kString, "MITRE ATT&CK technique ids, comma-separated"},
    {"AdditionalFields", ColumnType::kDynamic,
     "Flattened fields that are not declared columns, keyed by their flattened name"},
    // Flattened columns: the fields people query, each within the 45-character limit on column
    // names. Everything else goes to AdditionalFields.
    {"accountId_s", ColumnType::kString, "finding accountId"},
    {"arn_s", ColumnType::kString, "finding arn"},
    {"confidence_d", ColumnType::kReal, "finding confidence"},
    {"createdAt_t", ColumnType::kDateTime, "finding createdAt"},
    {"description_s", ColumnType::kString, "finding description"},
    {"id_s", ColumnType::kString, "finding id"},
    {"partition_s", ColumnType::kString, "finding partition"},
    {"region_s", ColumnType::kString, "finding region"},
    {"schemaVersion_s", ColumnType::kString, "finding schemaVersion"},
    {"severity_d", ColumnType::kReal, "finding severity"},
    {"title_s", ColumnType::kString, "finding title"},
    {"type_s", ColumnType::kString, "finding type"},
    {"updatedAt_t", ColumnType::kDateTime, "finding updatedAt"},
    {"associatedAttackSequenceArn_s", ColumnType::kString, "finding associatedAttackSequenceArn"},
    {"resource_resourceType_s", ColumnType::kString, "finding resource.resourceType"},
    {"resource_accessKeyDetails_accessKeyId_s", ColumnType::kString,
     "finding resource.accessKeyDetails.accessKeyId"},
    {"resource_accessKeyDetails_principalId_s", ColumnType::kString,
     "finding resource.accessKeyDetails.principalId"},
    {"resource_accessKeyDetails_userName_s", ColumnType::kString,
     "finding resource.accessKeyDetails.userName"},
    {"resource_accessKeyDetails_userType_s", ColumnType::kString,
     "finding resource.accessKeyDetails.userType"},
    {"resource_s3BucketDetails_s", ColumnType::kString,
     "finding resource.s3BucketDetails (array, as JSON text)"},
    {"resource_instanceDetails_availabilityZone_s", ColumnType::kString,
     "finding resource.instanceDetails.availabilityZone"},
    {"resource_instanceDetails_imageDescription_s", ColumnType::kString,
     "finding resource.instanceDetails.imageDescription"},
    {"resource_instanceDetails_imageId_s", ColumnType::kString,
     "finding resource.instanceDetails.imageId"},
    {"resource_instanceDetails_instanceId_s", ColumnType::kString,
     "finding resource.instanceDetails.instanceId"},
    {"resource_instanceDetails_instanceState_s", ColumnType::kString,
     "finding resource.instanceDetails.instanceState"},
    {"resource_instanceDetails_instanceType_s", ColumnType::kString,
     "finding resource.instanceDetails.instanceType"},
    {"resource_instanceDetails_outpostArn_s", ColumnType::kString,
     "finding resource.instanceDetails.outpostArn"},
    {"resource_instanceDetails_launchTime_t", ColumnType::kDateTime,
     "finding resource.instanceDetails.launchTime"},
    {"resource_instanceDetails_networkInterfaces_s", ColumnType::kString,
     "finding resource.instanceDetails.networkInterfaces (array, as JSON text)"},
    {"resource_instanceDetails_platform_s", ColumnType::kString,
     "finding resource.instanceDetails.platform"},
    {"resource_instanceDetails_productCodes_s", ColumnType::kString,
     "finding resource.instanceDetails.productCodes (array, as JSON text)"},
    {"resource_instanceDetails_tags_s", ColumnType::kString,
     "finding resource.instanceDetails.tags (array, as JSON text)"},
    {"resource_eksClusterDetails_name_s", ColumnType::kString,
     "finding resource.eksClusterDetails.name"},
    {"resource_eksClusterDetails_arn_s", ColumnType::kString,
     "finding resource.eksClusterDetails.arn"},
    {"resource_eksClusterDetails_vpcId_s", ColumnType::kString,
     "finding resource.eksClusterDetails.vpcId"},
    {"resource_eksClusterDetails_status_s", ColumnType::kString,
     "finding resource.eksClusterDetails.status"},
    {"resource_eksClusterDetails_tags_s", ColumnType::kString,
     "finding resource.eksClusterDetails.tags (array, as JSON text)"},
    {"resource_eksClusterDetails_createdAt_d", ColumnType::kReal,
     "finding resource.eksClusterDetails.createdAt"},
    {"resource_ecsClusterDetails_name_s", ColumnType::kString,
     "finding resource.ecsClusterDetails.name"},
    {"resource_ecsClusterDetails_arn_s", ColumnType::kString,
     "finding resource.ecsClusterDetails.arn"},
    {"resource_ecsClusterDetails_status_s", ColumnType::kString,
     "finding resource.ecsClusterDetails.status"},
    {"resource_ecsClusterDetails_tags_s", ColumnType::kString,
     "finding resource.ecsClusterDetails.tags (array, as JSON text)"},
    {"resource_ecsClusterDetails_taskDetails_arn_s", ColumnType::kString,
     "finding resource.ecsClusterDetails.taskDetails.arn"},
    {"resource_containerDetails_containerRuntime_s", ColumnType::kString,
     "finding resource.containerDetails.containerRuntime"},
    {"resource_containerDetails_id_s", ColumnType::kString, "finding resource.containerDetails.id"},
    {"resource_containerDetails_name_s", ColumnType::kString,
     "finding resource.containerDetails.name"},
    {"resource_containerDetails_image_s", ColumnType::kString,
     "finding resource.containerDetails.image"},
    {"resource_containerDetails_imagePrefix_s", ColumnType::kString,
     "finding resource.containerDetails.imagePrefix"},
    {"resource_containerDetails_volumeMounts_s", ColumnType::kString,
     "finding resource.containerDetails.volumeMounts (array, as JSON text)"},
    {"resource_lambdaDetails_functionArn_s", ColumnType::kString,
     "finding resource.lambdaDetails.functionArn"},
    {"resource_lambdaDetails_functionName_s", ColumnType::kString,
     "finding resource.lambdaDetails.functionName"},
    {"resource_lambdaDetails_description_s", ColumnType::kString,
     "finding resource.lambdaDetails.description"},
    {"resource_lambdaDetails_lastModifiedAt_d", ColumnType::kReal,
     "finding resource.lambdaDetails.lastModifiedAt"},
    {"resource_lambdaDetails_revisionId_s", ColumnType::kString,
     "finding resource.lambdaDetails.revisionId"},
    {"resource_lambdaDetails_functionVersion_s", ColumnType::kString,
     "finding resource.lambdaDetails.functionVersion"},
    {"resource_lambdaDetails_role_s", ColumnType::kString, "finding resource.lambdaDetails.role"},
    {"resource_lambdaDetails_vpcConfig_vpcId_s", ColumnType::kString,
     "finding resource.lambdaDetails.vpcConfig.vpcId"},
    {"resource_lambdaDetails_tags_s", ColumnType::kString,
     "finding resource.lambdaDetails.tags (array, as JSON text)"},
    {"resource_rdsDbInstanceDetails_engine_s", ColumnType::kString,
     "finding resource.rdsDbInstanceDetails.engine"},
    {"resource_rdsDbInstanceDetails_engineVersion_s", ColumnType::kString,
     "finding resource.rdsDbInstanceDetails.engineVersion"},
    {"resource_rdsDbInstanceDetails_dbInstanceArn_s", ColumnType::kString,
     "finding resource.rdsDbInstanceDetails.dbInstanceArn"},
    {"resource_rdsDbInstanceDetails_dbiResourceId_s", ColumnType::kString,
     "finding resource.rdsDbInstanceDetails.dbiResourceId"},
    {"resource_rdsDbInstanceDetails_tags_s", ColumnType::kString,
     "finding resource.rdsDbInstanceDetails.tags (array, as JSON text)"},
    {"resource_rdsLimitlessDbDetails_engine_s", ColumnType::kString,
     "finding resource.rdsLimitlessDbDetails.engine"},
    {"resource_rdsLimitlessDbDetails_tags_s", ColumnType::kString,
     "finding resource.rdsLimitlessDbDetails.tags (array, as JSON text)"},
    {"resource_rdsDbUserDetails_user_s", ColumnType::kString,
     "finding resource.rdsDbUserDetails.user"},
    {"resource_rdsDbUserDetails_application_s", ColumnType::kString,
     "finding resource.rdsDbUserDetails.application"},
    {"resource_rdsDbUserDetails_database_s", ColumnType::kString,
     "finding resource.rdsDbUserDetails.database"},
    {"resource_rdsDbUserDetails_ssl_s", ColumnType::kString,
     "finding resource.rdsDbUserDetails.ssl"},
    {"resource_rdsDbUserDetails_authMethod_s", ColumnType::kString,
     "finding resource.rdsDbUserDetails.authMethod"},
    {"resource_ebsSnapshotDetails_snapshotArn_s", ColumnType::kString,
     "finding resource.ebsSnapshotDetails.snapshotArn"},
    {"resource_ec2ImageDetails_imageArn_s", ColumnType::kString,
     "finding resource.ec2ImageDetails.imageArn"},
    {"resource_modelDetails_s", ColumnType::kString,
     "finding resource.modelDetails (array, as JSON text)"},
    {"service_action_actionType_s", ColumnType::kString, "finding service.action.actionType"},
    {"service_action_awsApiCallAction_api_s", ColumnType::kString,
     "finding service.action.awsApiCallAction.api"},
    {"service_action_awsApiCallAction_callerType_s", ColumnType::kString,
     "finding service.action.awsApiCallAction.callerType"},
    {"service_action_awsApiCallAction_errorCode_s", ColumnType::kString,
     "finding service.action.awsApiCallAction.errorCode"},
    {"service_action_awsApiCallAction_userAgent_s", ColumnType::kString,
     "finding service.action.awsApiCallAction.userAgent"},
    {"service_action_awsApiCallAction_serviceName_s", ColumnType::kString,
     "finding service.action.awsApiCallAction.serviceName"},
    {"service_action_dnsRequestAction_domain_s", ColumnType::kString,
     "finding service.action.dnsRequestAction.domain"},
    {"service_action_dnsRequestAction_protocol_s", ColumnType::kString,
     "finding service.action.dnsRequestAction.protocol"},
    {"service_action_dnsRequestAction_blocked_b", ColumnType::kBoolean,
     "finding service.action.dnsRequestAction.blocked"},
    {"service_action_portProbeAction_blocked_b", ColumnType::kBoolean,
     "finding service.action.portProbeAction.blocked"},
    {"service_action_kubernetesApiCallAction_verb_s", ColumnType::kString,
     "finding service.action.kubernetesApiCallAction.verb"},
    {"service_archived_b", ColumnType::kBoolean, "finding service.archived"},
    {"service_count_d", ColumnType::kReal, "finding service.count"},
    {"service_detectorId_s", ColumnType::kString, "finding service.detectorId"},
    {"service_eventFirstSeen_t", ColumnType::kDateTime, "finding service.eventFirstSeen"},
    {"service_eventLastSeen_t", ColumnType::kDateTime, "finding service.eventLastSeen"},
    {"service_resourceRole_s", ColumnType::kString, "finding service.resourceRole"},
    {"service_serviceName_s", ColumnType::kString, "finding service.serviceName"},
    {"service_featureName_s", ColumnType::kString, "finding service.featureName"},
    {"service_additionalInfo_sample_b", ColumnType::kBoolean,
     "finding service.additionalInfo.sample"},
    {"service_additionalInfo_threatListName_s", ColumnType::kString,
     "finding service.additionalInfo.threatListName"},
    {"service_additionalInfo_threatName_s", ColumnType::kString,
     "finding service.additionalInfo.threatName"},
    {"service_additionalInfo_value_s", ColumnType::kString, "finding service.additionalInfo.value"},
    {"service_additionalInfo_type_s", ColumnType::kString, "finding service.additionalInfo.type"},
    {"service_ebsVolumeScanDetails_scanId_s", ColumnType::kString,
     "finding service.ebsVolumeScanDetails.scanId"},
    {"service_malwareScanDetails_scanId_s", ColumnType::kString,
     "finding service.malwareScanDetails.scanId"},
    {"service_malwareScanDetails_threats_s", ColumnType::kString,
     "finding service.malwareScanDetails.threats (array, as JSON text)"},
    {"service_runtimeDetails_process_name_s", ColumnType::kString,
     "finding service.runtimeDetails.process.name"},
    {"service_runtimeDetails_process_pwd_s", ColumnType::kString,
     "finding service.runtimeDetails.process.pwd"},
    {"service_runtimeDetails_process_pid_d", ColumnType::kReal,
     "finding service.runtimeDetails.process.pid"},
    {"service_runtimeDetails_process_user_s", ColumnType::kString,
     "finding service.runtimeDetails.process.user"},
    {"service_runtimeDetails_process_lineage_s", ColumnType::kString,
     "finding service.runtimeDetails.process.lineage (array, as JSON text)"},
    {"service_runtimeDetails_context_scriptPath_s", ColumnType::kString,
     "finding service.runtimeDetails.context.scriptPath"},
    {"service_runtimeDetails_context_filePath_s", ColumnType::kString,
     "finding service.runtimeDetails.context.filePath"},
    {"service_runtimeDetails_context_toolName_s", ColumnType::kString,
     "finding service.runtimeDetails.context.toolName"},
    {"service_detection_sequence_uid_s", ColumnType::kString,
     "finding service.detection.sequence.uid"},
    {"service_detection_sequence_description_s", ColumnType::kString,
     "finding service.detection.sequence.description"},
    {"service_detection_sequence_signals_s", ColumnType::kString,
     "finding service.detection.sequence.signals (array, as JSON text)"},
});

uint64_t name_hash(std::string_view name) {
  return std::hash<std::string_view>{}(name);
}

// Each declared column's position in kColumns, found by the name's hash (computed once per
// flattened value and shared with the row's NameSet).
class DeclaredColumns {
 public:
  DeclaredColumns() {
    slots_.fill(kEmpty);
    for (size_t column = 0; column < kColumns.size(); ++column) {
      size_t i = name_hash(kColumns[column].name) & kMask;
      while (slots_[i] != kEmpty) i = (i + 1) & kMask;
      slots_[i] = static_cast<uint16_t>(column);
    }
  }

  std::optional<size_t> find(std::string_view name, uint64_t hash) const {
    for (size_t i = hash & kMask; slots_[i] != kEmpty; i = (i + 1) & kMask)
      if (kColumns[slots_[i]].name == name) return slots_[i];
    return std::nullopt;
  }

 private:
  static constexpr size_t kSlots = 512;  // a quarter full: short probes
  static constexpr size_t kMask = kSlots - 1;
  static constexpr uint16_t kEmpty = 0xFFFF;
  static_assert(kColumns.size() * 4 <= kSlots);
  std::array<uint16_t, kSlots> slots_{};
};

const DeclaredColumns& declared_columns() {
  static const DeclaredColumns columns;
  return columns;
}

// The undeclared names one row has used: hashes in a flat table over a buffer of the names'
// bytes, kept by the thread and emptied per row by moving to the next row number (a set of
// strings cost a node, an allocation and a hash per value per row).
class NameSet {
 public:
  void clear() {
    names_.clear();
    size_ = 0;
    if (++row_ == 0) {  // wrapped: slots of old rows could read as this one's
      std::fill(slots_.begin(), slots_.end(), Slot{});
      row_ = 1;
    }
  }

  /// False when `name` is in the set already.
  bool insert(std::string_view name, uint64_t hash) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    size_t i = find_slot(name, hash);
    if (slots_[i].row == row_) return false;
    slots_[i] =
        Slot{hash, static_cast<uint32_t>(names_.size()), static_cast<uint32_t>(name.size()), row_};
    names_ += name;
    ++size_;
    return true;
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t offset = 0;
    uint32_t size = 0;
    uint32_t row = 0;  // in use by the current row when equal to row_
  };

  // The slot holding `name`, or the free one where it would go.
  size_t find_slot(std::string_view name, uint64_t hash) const {
    const size_t mask = slots_.size() - 1;
    size_t i = hash & mask;
    for (; slots_[i].row == row_; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.hash == hash && std::string_view(names_).substr(slot.offset, slot.size) == name)
        break;
    }
    return i;
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.row != row_) continue;
      size_t i = slot.hash & mask;
      while (slots_[i].row == row_) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_ = std::vector<Slot>(64);
  std::string names_;
  uint32_t row_ = 1;
  size_t size_ = 0;
};

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// 8-4-4-4-12 hex digits: what the Data Collector API stores as a _g column.
bool looks_like_guid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

// Column names are letters, digits and '_'; other characters in keys become '_'. The key is
// appended whole and mended in place (a character at a time through += cost a length check each).
void append_sanitised(std::string& name, std::string_view key) {
  const size_t start = name.size();
  name += key;
  for (size_t i = start; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) name[i] = '_';
  }
}

// `,"name":` for a name that needs no escaping (a sanitised column name).
void append_plain_key(std::string& out, std::string_view name) {
  out += ",\"";
  out += name;
  out += "\":";
}

// What flattening keeps between rows, per thread, so that a row allocates nothing of its own.
struct FlattenBuffers {
  std::string name;   // the flattened column name so far: "service_action_..."
  std::string path;   // the dotted path: "service.action...."
  std::string extra;  // AdditionalFields' members, once there is one
  std::array<bool, kColumns.size()> declared_used{};
  NameSet extra_used;
  simdjson::internal::string_builder<> array_json;
};

class Flattener {
 public:
  Flattener(std::string& row, FlattenBuffers& buffers) : row_(row), b_(buffers) {
    b_.extra.clear();
    b_.declared_used.fill(false);
    b_.extra_used.clear();
  }

  void field(std::string_view key, const element& value) {
    b_.name.clear();
    append_sanitised(b_.name, key);
    b_.path = key;
    visit(value);
  }

  void finish() {
    if (b_.extra.empty()) return;
    b_.extra += '}';
    row_ += ",\"AdditionalFields\":";
    row_ += b_.extra;
  }

 private:
  void visit(const element& value) {
    switch (value.type()) {
      case element_type::OBJECT: {
        simdjson::dom::object members = value.get_object().value();
        for (auto member : members) {
          size_t name_mark = b_.name.size(), path_mark = b_.path.size();
          b_.name += '_';
          append_sanitised(b_.name, member.key);
          b_.path += '.';
          b_.path += member.key;
          visit(member.value);
          b_.name.resize(name_mark);
          b_.path.resize(path_mark);
        }
        return;
      }
      case element_type::ARRAY:
        return emit(LegacySuffix::kString, [&](std::string& out) {
          b_.array_json.clear();
          b_.array_json.append(value);
          append_json_string(out, b_.array_json.str());
        });
      case element_type::STRING: {
        std::string_view text = value.get_string().value();
        if (auto time = parse_iso8601(text)) {
          return emit(LegacySuffix::kDateTime, [&](std::string& out) {
            out += '"';
            append_iso8601(out, *time);
            out += '"';
          });
        }
        LegacySuffix suffix = looks_like_guid(text) ? LegacySuffix::kGuid : LegacySuffix::kString;
        return emit(suffix, [&](std::string& out) { append_json_string(out, text); });
      }
      case element_type::INT64:
        return emit(LegacySuffix::kReal,
                    [&](std::string& out) { append_json_number(out, value.get_int64().value()); });
      case element_type::UINT64:
        return emit(LegacySuffix::kReal,
                    [&](std::string& out) { append_json_number(out, value.get_uint64().value()); });
      case element_type::DOUBLE:
        return emit(LegacySuffix::kReal,
                    [&](std::string& out) { append_json_number(out, value.get_double().value()); });
      case element_type::BOOL:
        return emit(LegacySuffix::kBoolean,
                    [&](std::string& out) { out += value.get_bool().value() ? "true" : "false"; });
      case element_type::NULL_VALUE:
        return;  // the Data Collector API omits nulls too
    }
  }

  template <typename WriteValue>
  void emit(LegacySuffix suffix, WriteValue write_value) {
    std::string& name = b_.name;
    size_t mark = name.size();
    name += legacy_suffix(suffix);
    // A declared column is marked in a bit of its own; only the rare undeclared names need the
    // set.
    const uint64_t hash = name_hash(name);
    std::optional<size_t> column = declared_columns().find(name, hash);
    bool fresh;
    if (column) {
      fresh = !b_.declared_used[*column];
      b_.declared_used[*column] = true;
    } else {
      fresh = b_.extra_used.insert(name, hash);
    }
    if (fresh && column) {
      append_plain_key(row_, name);
      write_value(row_);
    } else {
      std::string& extra = b_.extra;
      // Two keys can flatten to one name ("a-b" and "a_b"); the later keeps its dotted path.
      if (fresh) {
        extra += extra.empty() ? "{\"" : ",\"";
        extra += name;
        extra += "\":";
      } else {
        extra += extra.empty() ? '{' : ',';
        append_json_string(extra, b_.path);
        extra += ':';
      }
      write_value(extra);
    }
    name.resize(mark);
  }

  std::string& row_;
  FlattenBuffers& b_;
};

}  // namespace

std::string_view legacy_suffix(LegacySuffix suffix) {
  switch (suffix) {
    case LegacySuffix::kString:
      return "_s";
    case LegacySuffix::kReal:
      return "_d";
    case LegacySuffix::kBoolean:
      return "_b";
    case LegacySuffix::kDateTime:
      return "_t";
    case LegacySuffix::kGuid:
      return "_g";
  }
  return "_s";
}

std::span<const Column> LegacySchema::columns() const {
  return kColumns;
}

void LegacySchema::write_row(const Finding& f, const Enrichment& e, std::string& out) const {
  // Written by hand rather than through RapidJSON's writer (a character at a time through a
  // stream: 15 µs a finding); the bytes are the same (core/json_text.h).
  out += "{\"TimeGenerated\":\"";
  append_iso8601(out, f.updated_at);
  out += "\",\"Severity\":";
  append_json_number(out, f.severity);
  out += ",\"SeverityLabel_s\":";
  append_json_string(out, e.severity_label);
  if (!e.threat_purpose.empty()) {
    out += ",\"ThreatPurpose_s\":";
    append_json_string(out, e.threat_purpose);
  }
  if (!e.tactics.empty()) {
    out += ",\"Tactics_s\":";
    append_json_string(out, e.tactics);
  }
  if (!e.techniques.empty()) {
    out += ",\"Techniques_s\":";
    append_json_string(out, e.techniques);
  }
  thread_local FlattenBuffers buffers;
  Flattener flat(out, buffers);
  for (auto member : f.root) flat.field(member.key, member.value);
  flat.finish();
  out += '}';
}

}  // namespace gd2s
