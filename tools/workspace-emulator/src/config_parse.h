// Helpers shared by the configuration parsers (config.cpp, dcr_config.cpp).
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "config.h"

namespace wsemu::config_detail {

using Value = rapidjson::Value;

[[noreturn]] void fail(const std::string& where, const std::string& what);
/// Refuses fields outside `allowed` ("comment" and "$…" are always allowed).
void check_keys(const Value& object, std::initializer_list<const char*> allowed, const std::string& where);
std::string required_string(const Value& object, const char* name, const std::string& where);
std::vector<std::string> string_list(const Value& object, const char* name, const std::string& where);
/// `path` relative to `base_dir` unless absolute.
std::string resolve(const std::string& base_dir, const std::string& path);
std::string read_config_file(const std::string& path, const std::string& where);
std::vector<StoredColumn> parse_columns(const Value& columns, const std::string& where);
DataCollectionRule parse_dcr(const Value& v, const std::string& base_dir, const std::string& where);

}  // namespace wsemu::config_detail
