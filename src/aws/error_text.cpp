#include "aws/error_text.h"

#include <algorithm>

namespace gd2s::aws {

namespace {
constexpr size_t kMaxDetailChars = 300;
}

std::string bare_error_code(std::string_view type) {
  if (size_t hash = type.find('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
  return std::string(type.substr(0, type.find(':')));
}

std::string short_service_message(std::string_view message) {
  message = message.substr(0, message.find('\n'));
  std::string out(message.substr(0, kMaxDetailChars));
  // Appended in place: GCC 12 at -O2 warns falsely (array-bounds) on string + literal here.
  if (message.size() > kMaxDetailChars) out += "…";
  return out;
}

bool is_one_of(std::string_view code, std::initializer_list<std::string_view> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

}  // namespace gd2s::aws
