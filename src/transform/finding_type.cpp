#include "transform/finding_type.h"

namespace gd2s {

FindingTypeParts split_finding_type(std::string_view type) {
  FindingTypeParts parts;
  size_t colon = type.find(':');
  if (colon == std::string_view::npos) {
    parts.threat_name = type;
    return parts;
  }
  parts.threat_purpose = type.substr(0, colon);
  std::string_view rest = type.substr(colon + 1);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) {
    parts.threat_name = rest;
    return parts;
  }
  parts.resource_type_affected = rest.substr(0, slash);
  parts.threat_name = rest.substr(slash + 1);
  return parts;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point: linear for the patterns people write.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace gd2s
