#pragma once
// Secrets: referenced in the config as "env:NAME" or "file:/path", resolved once at start-up,
// and impossible to print by accident (no stream operator, no formatter, no implicit string).

#include <stdexcept>
#include <string>
#include <string_view>

namespace gd2s {

class Secret {
 public:
  Secret() = default;
  /// Remembers the value for redact() (core/redaction.h): wherever it is echoed, it is hidden.
  explicit Secret(std::string value);
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&&) noexcept = default;
  Secret& operator=(Secret&&) noexcept = default;
  ~Secret();  // wipes the bytes

  /// The only way to read the value: call it where the secret is used, never where it is logged.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

/// Where a secret comes from, as written in the config. Safe to print: it names, never holds.
struct SecretRef {
  enum class Kind { kLiteral, kEnv, kFile };
  Kind kind = Kind::kLiteral;
  std::string name;  // variable name or file path; empty for literals

  /// "env:NAME", "file:/path", or "(inline value)" for literals.
  std::string describe() const;
};

/// Splits "env:NAME" / "file:/path"; anything else is an inline literal.
SecretRef parse_secret_ref(std::string_view text);

/// Raised when a reference cannot be resolved; the message names the reference, never a value.
class SecretError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads the secret a reference points to. For files, one trailing newline is dropped.
/// `literal` is the raw config text, used only for Kind::kLiteral.
Secret resolve_secret(const SecretRef& ref, std::string_view literal);

}  // namespace gd2s
