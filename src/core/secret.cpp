#include "core/secret.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/redaction.h"

namespace gd2s {

Secret::Secret(std::string value) : value_(std::move(value)) {
  remember_secret(value_);
}

Secret::~Secret() {
  // volatile keeps the compiler from dropping the wipe of memory about to be freed.
  volatile char* p = value_.data();
  for (size_t i = 0; i < value_.size(); ++i) p[i] = 0;
}

std::string SecretRef::describe() const {
  switch (kind) {
    case Kind::kEnv:
      return "env:" + name;
    case Kind::kFile:
      return "file:" + name;
    case Kind::kLiteral:
      break;
  }
  return "(inline value)";
}

SecretRef parse_secret_ref(std::string_view text) {
  if (text.starts_with("env:")) return {SecretRef::Kind::kEnv, std::string(text.substr(4))};
  if (text.starts_with("file:")) return {SecretRef::Kind::kFile, std::string(text.substr(5))};
  return {SecretRef::Kind::kLiteral, {}};
}

Secret resolve_secret(const SecretRef& ref, std::string_view literal) {
  switch (ref.kind) {
    case SecretRef::Kind::kLiteral:
      return Secret{std::string(literal)};
    case SecretRef::Kind::kEnv: {
      if (ref.name.empty()) throw SecretError("secret reference 'env:' names no variable");
      const char* value = std::getenv(ref.name.c_str());
      if (value == nullptr)
        throw SecretError("secret reference '" + ref.describe() + "': environment variable " +
                          ref.name + " is not set");
      if (*value == '\0')
        throw SecretError("secret reference '" + ref.describe() + "': environment variable " +
                          ref.name + " is empty");
      return Secret{value};
    }
    case SecretRef::Kind::kFile: {
      if (ref.name.empty()) throw SecretError("secret reference 'file:' names no path");
      std::ifstream in(ref.name, std::ios::binary);
      if (!in)
        throw SecretError("secret reference '" + ref.describe() + "': cannot read " + ref.name +
                          ": " + std::strerror(errno));
      std::ostringstream buffer;
      buffer << in.rdbuf();
      std::string value = buffer.str();
      if (!value.empty() && value.back() == '\n') value.pop_back();
      if (!value.empty() && value.back() == '\r') value.pop_back();
      if (value.empty())
        throw SecretError("secret reference '" + ref.describe() + "': file " + ref.name +
                          " is empty");
      Secret secret{std::move(value)};
      return secret;
    }
  }
  throw SecretError("secret reference has an unknown kind");
}

}  // namespace gd2s
