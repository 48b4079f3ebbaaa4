#include "core/redaction.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <utility>
#include <vector>

#include "core/mutex.h"

namespace gd2s {
namespace {

constexpr size_t kMinSecretBytes = 6;
constexpr size_t kMaxRemembered = 128;

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~';
}

// RFC 3986 percent-encoding; `form` writes a space as '+' (application/x-www-form-urlencoded).
std::string percent_encoded(std::string_view value, bool upper, bool form) {
  static constexpr char kUpper[] = "0123456789ABCDEF";
  static constexpr char kLower[] = "0123456789abcdef";
  const char* hex = upper ? kUpper : kLower;
  std::string out;
  for (unsigned char c : value) {
    if (is_unreserved(c)) {
      out += static_cast<char>(c);
    } else if (form && c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

// The value as it appears inside a JSON string; `slash` also escapes '/' as "\/".
std::string json_escaped(std::string_view value, bool slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (c == '"' || c == '\\' || (slash && c == '/')) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Each remembered secret in every form an endpoint may send it back in.
class SecretRegistry {
 public:
  void remember(std::string_view value) {
    if (value.size() < kMinSecretBytes) return;
    WriterLock lock(mutex_);
    for (const auto& forms : secrets_)
      if (forms.front() == value) return;
    std::vector<std::string> forms{std::string(value)};
    for (std::string form :
         {percent_encoded(value, true, false), percent_encoded(value, false, false),
          percent_encoded(value, true, true), percent_encoded(value, false, true),
          json_escaped(value, false), json_escaped(value, true)})
      if (std::find(forms.begin(), forms.end(), form) == forms.end())
        forms.push_back(std::move(form));
    secrets_.push_back(std::move(forms));
    if (secrets_.size() > kMaxRemembered) secrets_.pop_front();
  }

  template <typename Visit>
  void each_form(Visit&& visit) const {
    ReaderLock lock(mutex_);
    for (const auto& forms : secrets_)
      for (const std::string& form : forms) visit(form);
  }

 private:
  mutable SharedMutex mutex_;
  std::deque<std::vector<std::string>> secrets_ GUARDED_BY(mutex_);
};

SecretRegistry& registry() {
  static SecretRegistry instance;
  return instance;
}

using Span = std::pair<size_t, size_t>;  // [begin, end) of text to replace

bool is_token_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' ||
         c == '/' || c == '=' || c == '%';
}

bool is_base64url_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '_';
}

// Where a credential-shaped value ends: at a delimiter of the forms it travels in (query
// strings, headers, JSON, XML) or at white space.
size_t value_end(std::string_view text, size_t at) {
  while (at < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[at]);
    if (std::isspace(c) != 0 || c == '&' || c == '"' || c == '\'' || c == '<' || c == '>' ||
        c == ',' || c == ';' || c == '\\')
      break;
    ++at;
  }
  return at;
}

// "Authorization: Bearer eyJ...", "Bearer%20..." after form encoding.
void find_schemes(std::string_view text, std::string_view lower, std::vector<Span>& spans) {
  for (std::string_view scheme :
       {std::string_view("bearer "), std::string_view("bearer%20"), std::string_view("bearer+")}) {
    for (size_t at = lower.find(scheme); at != std::string_view::npos;
         at = lower.find(scheme, at + 1)) {
      size_t begin = at + scheme.size(), end = begin;
      while (end < text.size() && is_token_char(static_cast<unsigned char>(text[end]))) ++end;
      if (end - begin >= kMinSecretBytes) spans.emplace_back(begin, end);
    }
  }
  // "SharedKey <workspace id>:<signature>": the workspace id is no secret, the signature is.
  for (size_t at = lower.find("sharedkey "); at != std::string_view::npos;
       at = lower.find("sharedkey ", at + 1)) {
    size_t colon = text.find(':', at);
    if (colon == std::string_view::npos || colon - at > 80) continue;
    size_t end = colon + 1;
    while (end < text.size() && is_token_char(static_cast<unsigned char>(text[end]))) ++end;
    if (end > colon + 1) spans.emplace_back(colon + 1, end);
  }
}

// key=value, key: value, "key":"value", <Key>value</Key>, and their escaped forms.
void find_keyed(std::string_view text, std::string_view lower, std::vector<Span>& spans) {
  static constexpr std::array<std::string_view, 11> kKeys = {
      "signature",       "x-amz-security-token", "sessiontoken",    "session_token",
      "secretaccesskey", "secret_access_key",    "access_token",    "refresh_token",
      "id_token",        "client_secret",        "client_assertion"};
  for (std::string_view key : kKeys) {
    for (size_t at = lower.find(key); at != std::string_view::npos; at = lower.find(key, at + 1)) {
      size_t pos = at + key.size();
      bool separated = false;
      while (pos < text.size()) {
        char c = text[pos];
        if (c == '=' || c == ':' || c == '>') {
          separated = true;
        } else if (c != '"' && c != ' ' && c != '\\' && c != '\'') {
          break;
        }
        ++pos;
      }
      // URL-encoded separators: key%3Dvalue, "key"%3A"value".
      while (!separated && pos + 3 <= text.size() &&
             (lower.substr(pos, 3) == "%3d" || lower.substr(pos, 3) == "%3a")) {
        separated = true;
        pos += 3;
      }
      if (!separated) continue;
      size_t end = value_end(text, pos);
      if (end > pos) spans.emplace_back(pos, end);
    }
  }
}

// A JSON Web Token: three base64url parts, the first two JSON objects ("eyJ" is '{"').
void find_jwts(std::string_view text, std::vector<Span>& spans) {
  for (size_t at = text.find("eyJ"); at != std::string_view::npos; at = text.find("eyJ", at + 1)) {
    size_t end = at;
    int dots = 0;
    while (end < text.size()) {
      unsigned char c = static_cast<unsigned char>(text[end]);
      if (c == '.') {
        ++dots;
      } else if (!is_base64url_char(c)) {
        break;
      }
      ++end;
    }
    if (dots >= 2 && end - at >= 16) {
      spans.emplace_back(at, end);
      at = end;
    }
  }
}

}  // namespace

void remember_secret(std::string_view value) {
  registry().remember(value);
}

std::string redact(std::string_view text) {
  std::vector<Span> spans;
  registry().each_form([&](const std::string& form) {
    for (size_t at = text.find(form); at != std::string_view::npos;
         at = text.find(form, at + form.size()))
      spans.emplace_back(at, at + form.size());
  });
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  find_schemes(text, lower, spans);
  find_keyed(text, lower, spans);
  find_jwts(text, spans);
  if (spans.empty()) return std::string(text);

  std::sort(spans.begin(), spans.end());
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  for (size_t i = 0; i < spans.size();) {
    auto [begin, end] = spans[i];
    for (++i; i < spans.size() && spans[i].first <= end; ++i) end = std::max(end, spans[i].second);
    out.append(text.substr(copied, begin - copied));
    out.append(kRedacted);
    copied = end;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace gd2s
