#include "request_log.h"

#include <vector>

#include "json_util.h"

namespace wsemu {

void RequestLog::add(RequestRecord record) {
  MutexLock lock(mutex_);
  records_.push_back(std::move(record));
  while (records_.size() > capacity_) records_.pop_front();
}

std::string RequestLog::to_json(const std::string& endpoint, std::size_t limit) {
  std::vector<RequestRecord> selected;
  {
    MutexLock lock(mutex_);
    for (const auto& record : records_) {
      if (endpoint.empty() || record.endpoint == endpoint) selected.push_back(record);
    }
  }
  const std::size_t first = limit > 0 && selected.size() > limit ? selected.size() - limit : 0;
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartArray();
  for (std::size_t i = first; i < selected.size(); ++i) {
    const auto& r = selected[i];
    w.StartObject();
    write_member(w, "time", r.time);
    write_member(w, "endpoint", r.endpoint);
    write_member(w, "method", r.method);
    write_member(w, "path", r.path);
    write_string(w, "status");
    w.Int(r.status);
    write_string(w, "request_bytes");
    w.Uint64(r.request_bytes);
    write_string(w, "body_bytes");
    w.Uint64(r.body_bytes);
    write_member(w, "client_request_id", r.client_request_id);
    write_member(w, "request_id", r.request_id);
    write_member(w, "error_code", r.error_code);
    write_member(w, "fault", r.fault);
    write_member(w, "table", r.table);
    write_string(w, "rows");
    w.Int64(r.rows);
    write_string(w, "duration_ms");
    w.Double(r.duration_ms);
    w.EndObject();
  }
  w.EndArray();
  return {buffer.GetString(), buffer.GetSize()};
}

void RequestLog::clear() {
  MutexLock lock(mutex_);
  records_.clear();
}

}  // namespace wsemu
