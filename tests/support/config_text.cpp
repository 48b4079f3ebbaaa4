#include "support/config_text.h"

#include "support/test_support.h"
#include "support/workspace_emulator.h"

namespace gd2s::test {

std::string toml_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string toml_strings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + toml_string(items[i]);
  return out + "]";
}

ConfigText& ConfigText::table(const std::string& name) {
  text_ += "[" + name + "]\n";
  return *this;
}

ConfigText& ConfigText::set(const std::string& key, const std::string& toml_value) {
  text_ += key + " = " + toml_value + "\n";
  return *this;
}

ConfigText& ConfigText::set_string(const std::string& key, const std::string& text) {
  return set(key, toml_string(text));
}

ConfigText& ConfigText::raw(const std::string& toml) {
  text_ += toml;
  return *this;
}

ConfigText& ConfigText::files_source(const std::vector<std::string>& paths) {
  return table("source.files").set("paths", toml_strings(paths));
}

ConfigText& ConfigText::s3_listing_source(const std::string& bucket, const std::string& region) {
  return table("source.s3_listing").set_string("bucket", bucket).set_string("region", region);
}

ConfigText& ConfigText::sqs_source(const std::string& queue_url, const std::string& region) {
  return table("source.sqs").set_string("queue_url", queue_url).set_string("region", region);
}

ConfigText& ConfigText::guardduty_api_source(const std::vector<std::string>& regions) {
  return table("source.guardduty_api").set("regions", toml_strings(regions));
}

ConfigText& ConfigText::file_sink(const std::string& path) {
  return table("sink.file").set_string("path", path);
}

ConfigText& ConfigText::logs_ingestion_sink(const std::string& endpoint,
                                            const std::string& dcr_immutable_id,
                                            const std::string& stream) {
  return table("sink.logs_ingestion")
      .set_string("endpoint", endpoint)
      .set_string("dcr_immutable_id", dcr_immutable_id)
      .set_string("stream", stream);
}

ConfigText& ConfigText::azure_client_secret(const std::string& tenant_id,
                                            const std::string& client_id,
                                            const std::string& client_secret,
                                            const std::string& authority_host) {
  return table("azure")
      .set_string("auth", "client_secret")
      .set_string("tenant_id", tenant_id)
      .set_string("client_id", client_id)
      .set_string("client_secret", client_secret)
      .set_string("authority_host", authority_host);
}

ConfigText& ConfigText::workspace_emulator(const WorkspaceEmulator& emulator,
                                           const std::string& client_secret) {
  return logs_ingestion_sink(emulator.url(), WorkspaceEmulator::kDcr,
                             WorkspaceEmulator::kNativeStream)
      .azure_client_secret(WorkspaceEmulator::kTenant, WorkspaceEmulator::kClientId, client_secret,
                           emulator.url())
      .ca_file(emulator.ca_file());
}

ConfigText& ConfigText::ca_file(const std::string& path) {
  return table("http").set_string("ca_file", path);
}

ConfigText& ConfigText::dead_letters(const std::string& path) {
  return table("dead_letter").set_string("path", path);
}

ConfigText& ConfigText::state(const std::string& path) {
  return table("state").set_string("path", path);
}

ConfigText& ConfigText::log_level(const std::string& level) {
  return table("log").set_string("level", level);
}

std::string ConfigText::write(const std::string& path) const {
  write_file(path, text_);
  return path;
}

}  // namespace gd2s::test
