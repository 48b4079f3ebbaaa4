// The emulator's own API for tests and the demo, under /_emulator/: row
// counts and row dumps per table, resets, the request log, fault rules and
// federated tokens. Not part of any Azure protocol; never faulted or logged.
#include <cstdlib>

#include "arm_common.h"
#include "handlers.h"
#include "http_util.h"
#include "json_util.h"
#include "time_util.h"

namespace wsemu {
namespace {

void admin_error(httplib::Response& response, int status, const std::string& message) {
  set_json(response, status, "{\"error\":" + json_quote(message) + "}");
}

std::size_t size_param(const httplib::Request& request, const char* name) {
  return request.has_param(name) ? static_cast<std::size_t>(std::strtoull(
                                       request.get_param_value(name).c_str(), nullptr, 10))
                                 : 0;
}

/// {"T": 42, …}, or with ?details=true {"T": {"rows": 42, "sub_type": "Classic", "columns":
/// [{"name","type"}]}, …}.
void tables(const httplib::Request& request, httplib::Response& response, Emulator& emulator) {
  const std::string details = request.get_param_value("details");
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  if (details == "true" || details == "1") {
    for (const auto& table : emulator.store.tables()) {
      write_string(w, table.name);
      w.StartObject();
      write_string(w, "rows");
      w.Int64(table.rows);
      write_string(w, "sub_type");
      if (table.sub_type) {
        write_string(w, to_string(*table.sub_type));
      } else {
        w.Null();
      }
      write_string(w, "columns");
      write_columns(w, table.columns);
      w.EndObject();
    }
  } else {
    for (const auto& [name, rows] : emulator.store.row_counts()) {
      write_string(w, name);
      w.Int64(rows);
    }
  }
  w.EndObject();
  set_json(response, 200, std::string(buffer.GetString(), buffer.GetSize()));
}

void rows(const httplib::Request& request, httplib::Response& response, Emulator& emulator) {
  std::string out;
  const std::string table = request.matches[1].str();
  if (!emulator.store.dump_jsonl(table, size_param(request, "limit"), out,
                                 size_param(request, "offset"))) {
    return admin_error(response, 404, "no table named " + table);
  }
  response.status = 200;
  response.set_content(out, "application/x-ndjson");
}

void set_faults(const httplib::Request& request, httplib::Response& response, Emulator& emulator) {
  rapidjson::Document doc;
  doc.Parse(request.body.data(), request.body.size());
  if (doc.HasParseError()) return admin_error(response, 400, "the body is not JSON");
  const rapidjson::Value* rules = &doc;
  bool append = false;
  if (doc.IsObject()) {
    if (!doc.HasMember("faults"))
      return admin_error(response, 400, "expected an array of rules or {\"faults\": [...]}");
    rules = &doc["faults"];
    const auto mode = string_member(doc, "mode").value_or("replace");
    if (mode != "replace" && mode != "append")
      return admin_error(response, 400, "mode is \"replace\" or \"append\"");
    append = mode == "append";
  }
  std::string error;
  auto parsed = parse_fault_rules(*rules, &error);
  if (!error.empty()) return admin_error(response, 400, error);
  if (append) {
    emulator.faults.append(std::move(parsed));
  } else {
    emulator.faults.replace(std::move(parsed));
  }
  set_json(response, 200, emulator.faults.to_json());
}

void federated_token(const httplib::Request& request, httplib::Response& response,
                     Emulator& emulator) {
  rapidjson::Document doc;
  doc.Parse(request.body.data(), request.body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return admin_error(response, 400, "expected a JSON object");
  const auto issuer = string_member(doc, "issuer");
  const auto subject = string_member(doc, "subject");
  if (!issuer || !subject)
    return admin_error(response, 400, "\"issuer\" and \"subject\" are required");
  const std::string audience =
      string_member(doc, "audience").value_or("api://AzureADTokenExchange");
  const std::int64_t lifetime = int_member(doc, "lifetime_seconds").value_or(3600);
  const std::int64_t now =
      now_epoch_seconds() + int_member(doc, "issued_offset_seconds").value_or(0);
  const std::string token =
      emulator.signer.issue_federated(*issuer, *subject, audience, lifetime, now);
  set_json(response, 200, "{\"token\":" + json_quote(token) + "}");
}

void info(const httplib::Request&, httplib::Response& response, Emulator& emulator) {
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_member(w, "url", emulator.https_url);
  write_member(w, "http_url", emulator.http_url);
  write_member(w, "cloud", emulator.config.cloud);
  write_string(w, "ingestion_audiences");
  w.StartArray();
  for (const auto& a : emulator.config.logs_ingestion.audiences) write_string(w, a);
  w.EndArray();
  write_string(w, "arm_audiences");
  w.StartArray();
  for (const auto& a : emulator.config.arm.audiences) write_string(w, a);
  w.EndArray();
  write_string(w, "dcrs");
  w.StartArray();
  for (const auto& dcr : emulator.rules.all()) {
    w.StartObject();
    write_member(w, "immutable_id", dcr->immutable_id);
    write_member(w, "resource_id", dcr->resource_id);
    write_string(w, "streams");
    w.StartArray();
    for (const auto& [name, stream] : dcr->streams) write_string(w, name);
    w.EndArray();
    write_string(w, "tables");
    w.StartArray();
    for (const auto& flow : dcr->data_flows) write_string(w, flow.table);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  set_json(response, 200, std::string(buffer.GetString(), buffer.GetSize()));
}

}  // namespace

void register_admin(httplib::Server& server, Emulator& emulator) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  server.Get("/_emulator/health", [](Req, Res res) { set_json(res, 200, "{\"status\":\"ok\"}"); });
  server.Get("/_emulator/info", [&emulator](Req req, Res res) { info(req, res, emulator); });
  server.Get("/_emulator/tables", [&emulator](Req req, Res res) { tables(req, res, emulator); });
  server.Get(R"(/_emulator/tables/([^/]+)/rows)",
             [&emulator](Req req, Res res) { rows(req, res, emulator); });
  server.Delete("/_emulator/tables", [&emulator](Req, Res res) {
    emulator.store.clear_all();
    set_json(res, 200, "{\"cleared\":true}");
  });
  server.Delete(R"(/_emulator/tables/([^/]+))", [&emulator](Req req, Res res) {
    if (!emulator.store.clear_table(req.matches[1].str()))
      return admin_error(res, 404, "no table named " + req.matches[1].str());
    set_json(res, 200, "{\"cleared\":true}");
  });
  server.Get("/_emulator/requests", [&emulator](Req req, Res res) {
    set_json(res, 200,
             emulator.requests.to_json(req.get_param_value("endpoint"), size_param(req, "limit")));
  });
  server.Delete("/_emulator/requests", [&emulator](Req, Res res) {
    emulator.requests.clear();
    set_json(res, 200, "{\"cleared\":true}");
  });
  server.Get("/_emulator/faults",
             [&emulator](Req, Res res) { set_json(res, 200, emulator.faults.to_json()); });
  server.Post("/_emulator/faults",
              [&emulator](Req req, Res res) { set_faults(req, res, emulator); });
  server.Delete("/_emulator/faults", [&emulator](Req, Res res) {
    emulator.faults.clear();
    set_json(res, 200, emulator.faults.to_json());
  });
  server.Post("/_emulator/federated-token",
              [&emulator](Req req, Res res) { federated_token(req, res, emulator); });
}

}  // namespace wsemu
