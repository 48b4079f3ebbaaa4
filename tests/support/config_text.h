#pragma once
// The TOML text of a gd2sentinel config, as a user would write it, for the shapes tests use most:
// a source, a sink, Azure sign-in, the state and dead-letter files, the log level. Each call
// begins its table; set() adds a key to the table begun last; raw() appends TOML as written.
//
//   test::ConfigText()
//       .files_source({dir.file("in")})
//       .file_sink(dir.file("out.jsonl"))
//       .dead_letters(dir.file("dead.jsonl"))
//       .state(dir.file("state.db"))
//       .write(dir.file("gd2sentinel.toml"));

#include <string>
#include <vector>

namespace gd2s::test {

class WorkspaceEmulator;

/// `text` as a TOML basic string, quotes and backslashes escaped.
std::string toml_string(const std::string& text);
/// `items` as a TOML array of strings.
std::string toml_strings(const std::vector<std::string>& items);

class ConfigText {
 public:
  /// [table] with no keys yet.
  ConfigText& table(const std::string& name);
  /// key = value in the table begun last; `toml_value` is TOML as written (toml_string() for
  /// text).
  ConfigText& set(const std::string& key, const std::string& toml_value);
  /// key = "text" in the table begun last.
  ConfigText& set_string(const std::string& key, const std::string& text);
  /// TOML appended as it is (a line or tables of its own).
  ConfigText& raw(const std::string& toml);

  // --- sources
  ConfigText& files_source(const std::vector<std::string>& paths);
  ConfigText& s3_listing_source(const std::string& bucket, const std::string& region);
  ConfigText& sqs_source(const std::string& queue_url, const std::string& region);
  ConfigText& guardduty_api_source(const std::vector<std::string>& regions);

  // --- sinks
  ConfigText& file_sink(const std::string& path);
  ConfigText& logs_ingestion_sink(const std::string& endpoint, const std::string& dcr_immutable_id,
                                  const std::string& stream);
  /// [azure] auth = "client_secret" with the tenant, client, the secret (a reference such as
  /// "env:NAME") and the authority host.
  ConfigText& azure_client_secret(const std::string& tenant_id, const std::string& client_id,
                                  const std::string& client_secret,
                                  const std::string& authority_host);
  /// The Logs Ingestion sink into the emulator's native stream, signed in with the emulator's
  /// client and `client_secret`, trusting its CA: [sink.logs_ingestion], [azure] and [http].
  ConfigText& workspace_emulator(const WorkspaceEmulator& emulator,
                                 const std::string& client_secret);

  // --- the rest
  /// [http] ca_file
  ConfigText& ca_file(const std::string& path);
  /// [dead_letter] path
  ConfigText& dead_letters(const std::string& path);
  /// [state] path
  ConfigText& state(const std::string& path);
  /// [log] level
  ConfigText& log_level(const std::string& level);

  const std::string& text() const { return text_; }
  /// Writes the text to `path`; returns `path`.
  std::string write(const std::string& path) const;

 private:
  std::string text_;
};

}  // namespace gd2s::test
