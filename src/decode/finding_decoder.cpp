#include "decode/finding_decoder.h"

#include <algorithm>
#include <new>
#include <string>
#include <unordered_set>
#include <vector>

#include "decode/json_type_name.h"

namespace gd2s {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

std::string parse_error_reason(simdjson::error_code code) {
  switch (code) {
    case simdjson::UTF8_ERROR:
      return "not valid UTF-8";
    case simdjson::DEPTH_ERROR:
      return "JSON nests deeper than " + std::to_string(FindingDecoder::kMaxDepth) + " levels";
    case simdjson::EMPTY:
      return "empty record";
    case simdjson::NUMBER_ERROR:
      return "not valid JSON: a number cannot be read";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "not valid JSON: unexpected text where a value should be";
    case simdjson::UNCLOSED_STRING:
      return "not valid JSON: a string is not closed";
    case simdjson::TAPE_ERROR:
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "not valid JSON: the structure is broken or cut short";
    default:
      return std::string("not valid JSON: ") + simdjson::error_message(code);
  }
}

// Ambiguous input is refused rather than guessed at: with two "id" keys, which finding is it?
// Returns the dotted path of the first object holding a duplicate key, with the key.
bool find_duplicate_key(const element& value, std::string& path, std::string& key) {
  if (value.is_array()) {
    size_t index = 0;
    simdjson::dom::array items = value.get_array().value();
    for (element item : items) {
      size_t mark = path.size();
      path += "[" + std::to_string(index++) + "]";
      if (find_duplicate_key(item, path, key)) return true;
      path.resize(mark);
    }
    return false;
  }
  if (!value.is_object()) return false;
  object obj = value.get_object().value();
  std::vector<std::string_view> keys;
  keys.reserve(obj.size());
  for (auto field : obj) keys.push_back(field.key);
  std::vector<std::string_view> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  if (dup != sorted.end()) {
    key = std::string(*dup);
    return true;
  }
  for (auto field : obj) {
    size_t mark = path.size();
    if (!path.empty()) path += '.';
    path += field.key;
    if (find_duplicate_key(field.value, path, key)) return true;
    path.resize(mark);
  }
  return false;
}

// Whether any object in `value` holds a key twice, without building paths: the check every
// record passes. `keys` is scratch space, kept by the caller between records.
bool has_duplicate_key(const element& value, std::vector<std::string_view>& keys) {
  if (value.is_array()) {
    simdjson::dom::array items = value.get_array().value();
    for (element item : items)
      if (has_duplicate_key(item, keys)) return true;
    return false;
  }
  if (!value.is_object()) return false;
  object obj = value.get_object().value();
  size_t mark = keys.size();
  for (auto field : obj) keys.push_back(field.key);
  auto begin = keys.begin() + static_cast<std::ptrdiff_t>(mark);
  std::sort(begin, keys.end());
  bool duplicate = std::adjacent_find(begin, keys.end()) != keys.end();
  keys.resize(mark);
  if (duplicate) return true;
  for (auto field : obj)
    if (has_duplicate_key(field.value, keys)) return true;
  return false;
}

// A member given as JSON null counts as absent (GuardDuty writes "platform": null).
bool lookup(const object& obj, std::string_view key, element& out) {
  if (obj[key].get(out) != simdjson::SUCCESS) return false;
  return !out.is_null();
}

struct FieldReader {
  const object& obj;
  std::string failure;

  bool string(std::string_view key, std::string_view& out, bool required) {
    element value;
    if (!lookup(obj, key, value)) {
      if (required) failure = "required field \"" + std::string(key) + "\" is missing";
      return !required;
    }
    if (!value.is_string()) {
      failure = "field \"" + std::string(key) + "\" is " + json_type_name(value.type()) +
                ", expected a string";
      return false;
    }
    out = value.get_string().value();
    if (required && out.empty()) {
      failure = "required field \"" + std::string(key) + "\" is empty";
      return false;
    }
    return true;
  }

  bool number(std::string_view key, double& out, bool required, bool& present) {
    element value;
    present = lookup(obj, key, value);
    if (!present) {
      if (required) failure = "required field \"" + std::string(key) + "\" is missing";
      return !required;
    }
    if (!value.is_number()) {
      failure = "field \"" + std::string(key) + "\" is " + json_type_name(value.type()) +
                ", expected a number";
      return false;
    }
    out = value.get_double().value();
    return true;
  }

  // Top-level times are ISO-8601 strings; epoch seconds are accepted too.
  bool time(std::string_view key, Timestamp& out) {
    element value;
    if (!lookup(obj, key, value)) {
      failure = "required field \"" + std::string(key) + "\" is missing";
      return false;
    }
    std::optional<Timestamp> parsed;
    if (value.is_string()) {
      parsed = parse_iso8601(value.get_string().value());
    } else if (value.is_number()) {
      parsed = from_epoch_seconds(value.get_double().value());
    } else {
      failure = "field \"" + std::string(key) + "\" is " + json_type_name(value.type()) +
                ", expected an ISO-8601 time";
      return false;
    }
    if (!parsed) {
      failure = "field \"" + std::string(key) +
                "\" is not a valid time: " + std::string(simdjson::minify(value));
      return false;
    }
    out = *parsed;
    return true;
  }
};

}  // namespace

FindingDecoder::FindingDecoder() {
  // Capacity grows on demand; the depth limit is what matters here.
  if (parser_.allocate(16 * 1024, kMaxDepth) ||
      additional_info_parser_.allocate(4 * 1024, kMaxDepth))
    throw std::bad_alloc();
}

std::variant<Finding, DecodeFailure> FindingDecoder::decode(std::string_view text) {
  element root;
  if (auto error = parser_.parse(text.data(), text.size()).get(root); error)
    return DecodeFailure{parse_error_reason(error)};
  if (!root.is_object())
    return DecodeFailure{std::string("record is ") + json_type_name(root.type()) +
                         ", expected a finding object"};
  std::string path, key;
  if (has_duplicate_key(root, key_scratch_) && find_duplicate_key(root, path, key))
    return DecodeFailure{"duplicate key \"" + key + "\" in " +
                         (path.empty() ? std::string("the finding") : "\"" + path + "\"")};

  Finding f;
  f.root = root.get_object().value();
  FieldReader read{f.root, {}};
  bool confidence_present = false;
  double confidence = 0;
  bool severity_present = false;
  if (!read.string("schemaVersion", f.schema_version, true) ||
      !read.string("accountId", f.account_id, true) || !read.string("region", f.region, true) ||
      !read.string("id", f.id, true) || !read.string("arn", f.arn, true) ||
      !read.string("type", f.type, true) || !read.string("partition", f.partition, false) ||
      !read.string("title", f.title, false) || !read.string("description", f.description, false) ||
      !read.string("associatedAttackSequenceArn", f.associated_attack_sequence_arn, false) ||
      !read.number("severity", f.severity, true, severity_present) ||
      !read.number("confidence", confidence, false, confidence_present) ||
      !read.time("createdAt", f.created_at) || !read.time("updatedAt", f.updated_at))
    return DecodeFailure{std::move(read.failure)};
  if (confidence_present) f.confidence = confidence;

  element resource;
  if (!lookup(f.root, "resource", resource))
    return DecodeFailure{"required field \"resource\" is missing"};
  if (!resource.is_object())
    return DecodeFailure{std::string("field \"resource\" is ") + json_type_name(resource.type()) +
                         ", expected an object"};
  f.resource = resource.get_object().value();
  FieldReader resource_fields{f.resource, {}};
  if (!resource_fields.string("resourceType", f.resource_type, false))
    return DecodeFailure{"in \"resource\": " + resource_fields.failure};

  element service;
  if (lookup(f.root, "service", service)) {
    if (!service.is_object())
      return DecodeFailure{std::string("field \"service\" is ") + json_type_name(service.type()) +
                           ", expected an object"};
    f.service = service.get_object().value();
    element value;
    if (lookup(*f.service, "archived", value) && value.is_bool()) f.archived = value.get_bool();
    if (lookup(*f.service, "resourceRole", value) && value.is_string())
      f.resource_role = value.get_string().value();
    element action;
    if (lookup(*f.service, "action", action) && action.is_object() &&
        lookup(action.get_object().value(), "actionType", value) && value.is_string())
      f.action_type = value.get_string().value();
    element info;
    if (lookup(*f.service, "additionalInfo", info) && info.is_object()) {
      object info_object = info.get_object().value();
      if (lookup(info_object, "sample", value) && value.is_bool()) f.sample = value.get_bool();
      // The API shape: {"value": "{\"sample\":true}", "type": "default"}.
      element packed;
      if (!f.sample && lookup(info_object, "value", packed) && packed.is_string()) {
        std::string_view json = packed.get_string().value();
        element unpacked;
        if (!additional_info_parser_.parse(json.data(), json.size()).get(unpacked) &&
            unpacked.is_object() && lookup(unpacked.get_object().value(), "sample", value) &&
            value.is_bool())
          f.sample = value.get_bool();
      }
    }
  }
  return f;
}

}  // namespace gd2s
