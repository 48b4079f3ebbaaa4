#pragma once
// The one place secrets are taken out of text before it leaves the process: log lines, error
// messages shown to people, `check` output and dead-letter reasons all pass through redact().
//
// Two kinds of guard. Every Secret the process creates registers its value, and redact() replaces
// it in each form an endpoint may echo it in: raw, form- and URL-encoded, JSON-escaped. And some
// shapes are removed whatever their value: bearer tokens, JWTs, SigV4 signatures and session
// tokens, SharedKey signatures, and the OAuth parameters that carry credentials.

#include <string>
#include <string_view>

namespace gd2s {

/// What a secret is replaced with.
inline constexpr std::string_view kRedacted = "(redacted)";

/// Remembers a secret's value for redact(). Values shorter than 6 bytes are not remembered (they
/// would blank out ordinary words); the most recent 128 distinct values are kept, which covers
/// the configured secrets and the rotating tokens and keys of a long run. Thread-safe.
void remember_secret(std::string_view value);

/// `text` with every remembered secret and every credential-shaped value replaced by
/// kRedacted. Thread-safe.
std::string redact(std::string_view text);

}  // namespace gd2s
