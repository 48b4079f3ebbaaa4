#include "entra_errors.h"

#include "crypto.h"
#include "json_util.h"
#include "time_util.h"

namespace wsemu {

std::string entra_error_json(const EntraError& error, std::int64_t now,
                             const std::string& correlation_id) {
  const std::string trace_id = new_guid();
  const std::string correlation = correlation_id.empty() ? new_guid() : correlation_id;
  const std::string timestamp = format_entra_timestamp(now);
  const std::string description = "AADSTS" + std::to_string(error.code) + ": " + error.text +
                                  " Trace ID: " + trace_id + " Correlation ID: " + correlation +
                                  " Timestamp: " + timestamp;
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_member(w, "error", error.error);
  write_member(w, "error_description", description);
  write_string(w, "error_codes");
  w.StartArray();
  w.Int(error.code);
  w.EndArray();
  write_member(w, "timestamp", timestamp);
  write_member(w, "trace_id", trace_id);
  write_member(w, "correlation_id", correlation);
  write_member(w, "error_uri", "https://login.microsoftonline.com/error?code=" + std::to_string(error.code));
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace wsemu
