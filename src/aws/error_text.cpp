#include "aws/error_text.h"

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
  if (message.size() > kMaxDetailChars)
    return std::string(message.substr(0, kMaxDetailChars)) + "…";
  return std::string(message);
}

}  // namespace gd2s::aws
