// `gd2sentinel check`: walks every permission and connection the config needs, one line per
// step, and says for each refusal what to grant. It reads and posts nothing that changes state:
// the SQS message it may receive stays visible, the batch calls carry a receipt handle that
// cannot match a message, and the DCR gets an empty array.

#include <simdjson.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>

#include "app/commands.h"
#include "app/components.h"
#include "app/config.h"
#include "app/logging.h"
#include "aws/guardduty_client.h"
#include "aws/operations.h"
#include "azure/log_analytics_table.h"
#include "core/base64.h"
#include "core/redaction.h"
#include "http/curl_client.h"
#include "sinks/logs_ingestion_sink.h"
#include "state/sqlite_store.h"
#include "transform/schema.h"

namespace gd2s {
namespace {

// Receipt handles are opaque to the client; this one cannot be a real one.
constexpr const char* kNoSuchReceipt = "gd2sentinel-check-not-a-receipt-handle";

class Report {
 public:
  void ok(const std::string& what) { print("✓", what, ""); }
  void fail(const std::string& what, const std::string& cause) {
    ++failures_;
    print("✗", what, cause);
  }
  void skip(const std::string& what, const std::string& why) { print("-", what, why); }
  int failures() const { return failures_; }

 private:
  static void print(const char* mark, const std::string& what, const std::string& detail) {
    std::string line =
        redact(std::string(mark) + " " + what + (detail.empty() ? "" : ": ") + detail);
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  int failures_ = 0;
};

// Claims that name the identity in an Entra access token (never the token itself).
std::string token_identity(const std::string& token) {
  size_t first = token.find('.'), second = token.find('.', first + 1);
  if (first == std::string::npos || second == std::string::npos) return "an opaque token";
  std::string payload = token.substr(first + 1, second - first - 1);
  for (char& c : payload) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (payload.size() % 4) payload += '=';
  auto decoded = base64_decode(payload);
  if (!decoded) return "a token whose claims are not readable";
  simdjson::dom::parser parser;
  simdjson::dom::element claims;
  if (parser.parse(*decoded).get(claims)) return "a token whose claims are not JSON";
  std::string out;
  for (const char* name : {"appid", "azp", "oid", "tid"}) {
    std::string_view value;
    if (!claims[name].get(value))
      out += (out.empty() ? "" : ", ") + std::string(name) + " " + std::string(value);
  }
  return out.empty() ? "a token without identity claims" : out;
}

// The newest export object under prefix/AWSLogs/: the last day folder of every account and
// Region, then the latest LastModified there.
std::optional<aws::S3Object> newest_object(aws::S3Client& s3, const S3ListingConfig& source) {
  auto children = [&](const std::string& parent) {
    std::vector<std::string> out;
    aws::ListRequest request{source.bucket, parent, "/", "", "", 1000};
    while (true) {
      aws::ListPage page = s3.list_objects_v2(request);
      out.insert(out.end(), page.common_prefixes.begin(), page.common_prefixes.end());
      if (!page.truncated) break;
      request.continuation_token = page.next_continuation_token;
    }
    return out;
  };
  std::string base = source.prefix;
  if (!base.empty() && !base.ends_with('/')) base += '/';
  std::optional<aws::S3Object> newest;
  for (const std::string& account : children(base + "AWSLogs/")) {
    for (const std::string& region : children(account + "GuardDuty/")) {
      std::string day = region;
      for (int level = 0; level < 3; ++level) {  // year, month, day: the last of each
        std::vector<std::string> next = children(day);
        if (next.empty()) break;
        day = next.back();
      }
      aws::ListRequest request{source.bucket, day, "", "", "", 1000};
      aws::ListPage page = s3.list_objects_v2(request);
      for (const aws::S3Object& object : page.objects)
        if (!newest || object.last_modified > newest->last_modified) newest = object;
    }
  }
  return newest;
}

void check_s3_listing(Report& report, aws::S3Client& s3, const S3ListingConfig& source) {
  std::string where = "s3://" + source.bucket + "/" + source.prefix;
  std::optional<aws::S3Object> newest;
  try {
    newest = newest_object(s3, source);
    report.ok(std::string(aws::ops::kListObjectsV2.iam_action) + " on " + where +
              (source.prefix.empty() || source.prefix.ends_with('/') ? "" : "/") + "AWSLogs/");
  } catch (const std::exception& error) {
    report.fail(std::string(aws::ops::kListObjectsV2.iam_action) + " on " + where, error.what());
    return;
  }
  std::string what = std::string(aws::ops::kGetObject.iam_action) + " and " +
                     std::string(aws::ops::kDecryptExport.iam_action);
  if (!newest) {
    report.skip(what,
                "no export object yet (GuardDuty writes one about 5 minutes after a finding)");
    return;
  }
  try {
    auto stream = s3.get_object(source.bucket, newest->key, newest->etag, newest->size);
    char byte;
    stream->read(std::span<char>(&byte, 1));
    report.ok(what + " on the newest object, s3://" + source.bucket + "/" + newest->key + " (" +
              newest->last_modified + ")");
  } catch (const std::exception& error) {
    report.fail(what + " on s3://" + source.bucket + "/" + newest->key, error.what());
  }
}

void check_sqs(Report& report, aws::SqsClient& sqs, const SqsConfig& source) {
  const std::string& queue = source.queue_url;
  try {
    auto attributes = sqs.queue_attributes(queue, {"VisibilityTimeout", "RedrivePolicy"});
    std::string redrive = attributes.count("RedrivePolicy")
                              ? "redrive policy set"
                              : "no redrive policy: messages it cannot read stay forever; add a "
                                "dead-letter queue (docs/aws-setup.md)";
    report.ok(std::string(aws::ops::kGetQueueAttributes.iam_action) + " on " + queue + " (" +
              redrive + ")");
  } catch (const std::exception& error) {
    report.fail(std::string(aws::ops::kGetQueueAttributes.iam_action) + " on " + queue,
                error.what());
  }
  std::optional<aws::SqsMessage> seen;
  try {
    // Visibility 0: a message that comes back stays visible to the running consumers.
    auto messages = sqs.receive(queue, 1, std::chrono::seconds(0), std::chrono::seconds(0));
    if (!messages.empty()) seen = messages.front();
    report.ok(std::string(aws::ops::kReceiveMessage.iam_action) + " on " + queue +
              (seen ? " (one message seen and left visible; its receive count went up by one)"
                    : " (the queue is empty)"));
  } catch (const std::exception& error) {
    report.fail(std::string(aws::ops::kReceiveMessage.iam_action) + " on " + queue, error.what());
  }
  auto batch_check = [&](const aws::Operation& op, auto call) {
    try {
      std::vector<aws::SqsBatchFailure> failed = call();
      // A refused receipt handle means the action itself was allowed.
      report.ok(std::string(op.iam_action) + " on " + queue +
                (failed.empty() ? "" : " (tried with a receipt handle that matches no message)"));
    } catch (const std::exception& error) {
      std::string what = error.what();
      if (what.find("ReceiptHandleIsInvalid") != std::string::npos)
        report.ok(std::string(op.iam_action) + " on " + queue);
      else
        report.fail(std::string(op.iam_action) + " on " + queue, what);
    }
  };
  batch_check(aws::ops::kDeleteMessageBatch, [&] {
    return sqs.delete_batch(queue, {{"check", kNoSuchReceipt, 0}});
  });
  batch_check(aws::ops::kChangeMessageVisibilityBatch, [&] {
    if (seen) return sqs.change_visibility_batch(queue, {{"check", seen->receipt_handle, 0}});
    return sqs.change_visibility_batch(queue, {{"check", kNoSuchReceipt, 0}});
  });
}

void check_guardduty(Report& report, SourceParts& parts, const GuardDutyApiConfig& source) {
  for (const auto& client : parts.guardduty) {
    std::vector<std::string> detectors;
    for (const std::string& id : source.detector_ids) {
      size_t slash = id.find('/');
      if (slash == std::string::npos)
        detectors.push_back(id);
      else if (id.substr(0, slash) == client->region())
        detectors.push_back(id.substr(slash + 1));
    }
    if (detectors.empty()) {
      try {
        detectors = client->all_detectors();
        report.ok(std::string(aws::ops::kListDetectors.iam_action) + " in " + client->region() +
                  " (" + std::to_string(detectors.size()) + " detectors)");
      } catch (const std::exception& error) {
        report.fail(std::string(aws::ops::kListDetectors.iam_action) + " in " + client->region(),
                    error.what());
        continue;
      }
    }
    for (const std::string& detector : detectors) {
      std::string where = " on detector " + detector + " in " + client->region();
      aws::IdPage page;
      try {
        page = client->list_findings(detector, 0);
        report.ok(std::string(aws::ops::kListFindings.iam_action) + where);
      } catch (const std::exception& error) {
        report.fail(std::string(aws::ops::kListFindings.iam_action) + where, error.what());
        continue;
      }
      if (page.ids.empty()) {
        report.skip(std::string(aws::ops::kGetFindings.iam_action) + where, "no finding to read");
        continue;
      }
      try {
        client->get_findings(detector, {page.ids.front()});
        report.ok(std::string(aws::ops::kGetFindings.iam_action) + where);
      } catch (const std::exception& error) {
        report.fail(std::string(aws::ops::kGetFindings.iam_action) + where, error.what());
      }
    }
  }
}

// Schema columns the declaration lacks or types differently: rows would lose them silently.
std::vector<std::string> column_mismatches(const Schema& schema, simdjson::dom::array declared) {
  std::map<std::string, std::string> types;
  for (simdjson::dom::element column : declared) {
    std::string_view name, type;
    if (!column["name"].get(name) && !column["type"].get(type)) {
      std::string lower(type);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      types[std::string(name)] = lower;
    }
  }
  std::vector<std::string> out;
  for (const Column& column : schema.columns()) {
    auto it = types.find(std::string(column.name));
    std::string want(column_type_name(column.type));
    if (it == types.end())
      out.push_back(std::string(column.name) + " is not declared");
    else if (it->second != want)
      out.push_back(std::string(column.name) + " is declared " + it->second +
                    ", the schema sends " + want);
  }
  return out;
}

// The rule's stream declaration, read through Azure Resource Manager, against the schema.
// Returns the workspace the rule's destination names (empty when it was not read).
std::string check_stream_columns(Report& report, const Config& config,
                                 azure::ResourceManager& arm) {
  const LogsIngestionConfig& sink = *config.logs_ingestion_sink;
  const std::string what = "columns of stream " + sink.stream;
  if (sink.dcr_resource_id.empty()) {
    report.skip(what,
                "set [sink.logs_ingestion] dcr_resource_id (and give the identity Reader on "
                "the rule) to compare them with the " +
                    config.transform.schema + " schema");
    return "";
  }
  std::string body;
  try {
    body = arm.call("GET", sink.dcr_resource_id, "2023-03-11");
  } catch (const azure::ArmError& error) {
    std::string fix = error.status() == 403
                          ? "; give the identity Reader on the rule "
                            "(Microsoft.Insights/dataCollectionRules/read), or leave "
                            "dcr_resource_id out to skip this step"
                      : error.status() == 404 ? "; check dcr_resource_id"
                                              : "";
    report.fail(what, std::string(error.what()) + fix);
    return "";
  } catch (const std::exception& error) {
    report.fail(what, error.what());
    return "";
  }
  simdjson::dom::parser parser;
  simdjson::dom::element rule;
  simdjson::dom::array columns;
  if (parser.parse(body).get(rule) ||
      rule["properties"]["streamDeclarations"][sink.stream]["columns"].get(columns)) {
    report.fail(what, "the rule " + sink.dcr_resource_id + " declares no stream " + sink.stream +
                          "; redeploy it from `gd2sentinel azure-template --schema " +
                          config.transform.schema + "`");
    return azure::rule_workspace(body);
  }
  SchemaPtr schema = make_schema(config.transform.schema);
  std::vector<std::string> problems = column_mismatches(*schema, columns);
  if (problems.empty()) {
    report.ok(what + ": every column of the " + config.transform.schema +
              " schema is declared with its type");
    return azure::rule_workspace(body);
  }
  std::string list;
  for (const std::string& p : problems) list += (list.empty() ? "" : "; ") + p;
  report.fail(what, list +
                        " (the service drops undeclared columns without a word); redeploy "
                        "the rule from `gd2sentinel azure-template --schema " +
                        config.transform.schema + "`");
  return azure::rule_workspace(body);
}

// The legacy table itself: a classic (Data Collector API) AWSGuardDuty_CL, as the Logstash
// pipeline left it, takes no rows from a data collection rule until it is migrated.
void check_legacy_table(Report& report, const Config& config, azure::ResourceManager& arm,
                        std::string workspace) {
  const LogsIngestionConfig& sink = *config.logs_ingestion_sink;
  SchemaPtr schema = make_schema("legacy");
  const std::string table_name(schema->table());
  const std::string what = "table " + table_name;
  if (!sink.workspace_resource_id.empty()) workspace = sink.workspace_resource_id;
  if (workspace.empty()) {
    report.skip(what,
                "set [sink.logs_ingestion] workspace_resource_id (or dcr_resource_id) to check "
                "that the table takes rows from a data collection rule");
    return;
  }
  std::optional<azure::LogAnalyticsTable> table;
  try {
    table = azure::read_table(arm, workspace, table_name);
  } catch (const azure::ArmError& error) {
    report.fail(
        what, std::string(error.what()) +
                  (error.status() == 403 ? "; give the identity Reader on the workspace "
                                           "(Microsoft.OperationalInsights/workspaces/tables/read)"
                                         : ""));
    return;
  } catch (const std::exception& error) {
    report.fail(what, error.what());
    return;
  }
  if (!table) {
    report.fail(what, "the workspace " + workspace +
                          " has no such table; deploy `gd2sentinel azure-template --schema "
                          "legacy`, which creates it");
    return;
  }
  if (table->classic()) {
    report.fail(what,
                "a classic table (made by the HTTP Data Collector API, as Logstash's output "
                "made it): a data collection rule cannot send to it until it is migrated. Run "
                "`gd2sentinel migrate table --config FILE` (needs "
                "Microsoft.OperationalInsights/workspaces/tables/migrate/action and "
                "tables/write, e.g. Log Analytics Contributor on the workspace), then deploy "
                "`gd2sentinel azure-template --schema legacy --existing-table`; its rows and "
                "columns stay (docs/migrate-from-logstash.md)");
    return;
  }
  std::vector<azure::TableColumn> wanted;
  for (const Column& column : schema->columns())
    wanted.push_back({std::string(column.name), std::string(column_type_name(column.type))});
  azure::ColumnGap gap = azure::column_gap(*table, wanted);
  if (gap.missing.empty() && gap.conflicts.empty()) {
    report.ok(what + " is DCR-based and has every column of the legacy schema");
    return;
  }
  std::string list;
  for (const auto& column : gap.missing) list += (list.empty() ? "" : ", ") + column.name;
  std::string text;
  if (!gap.missing.empty())
    text = std::to_string(gap.missing.size()) + " columns the rows carry are missing (" + list +
           "): the service would drop them; `gd2sentinel migrate table --config FILE` adds them";
  for (const std::string& conflict : gap.conflicts) text += (text.empty() ? "" : "; ") + conflict;
  report.fail(what, text);
}

// An empty array: authorised, routed to the stream, and nothing ingested.
void post_empty_array(Report& report, const LogsIngestionConfig& sink,
                      const azure::AccessToken& token, http::HttpClientPtr http) {
  std::string url = sink.endpoint + "/dataCollectionRules/" + sink.dcr_immutable_id + "/streams/" +
                    sink.stream + "?api-version=2023-01-01";
  std::string what = "post to " + sink.dcr_immutable_id + "/streams/" + sink.stream;
  try {
    http::Response response = http->send({"POST",
                                          url,
                                          {{"Authorization", "Bearer " + token.value.reveal()},
                                           {"Content-Type", "application/json"}},
                                          "[]",
                                          std::chrono::seconds(30)});
    if (response.status / 100 == 2) {
      report.ok(what + " accepted (HTTP " + std::to_string(response.status) + ")");
    } else {
      std::string fix =
          response.status == 403
              ? "; grant the identity Monitoring Metrics Publisher on this data collection rule "
                "(it can take several minutes to apply)"
          : response.status == 404
              ? "; check endpoint, dcr_immutable_id and stream against the deployment's outputs "
                "(gd2sentinel azure-template)"
              : "";
      report.fail(
          what, "HTTP " + std::to_string(response.status) + " " + azure_error_text(response) + fix);
    }
  } catch (const std::exception& error) {
    report.fail(what, error.what());
  }
}

void check_logs_ingestion(Report& report, const Config& config, http::HttpClientPtr http) {
  const LogsIngestionConfig& sink = *config.logs_ingestion_sink;
  azure::TokenProviderPtr tokens;
  azure::AccessToken token;
  try {
    tokens = azure::make_token_provider(azure_auth_options(config.azure), http);
    token = tokens->token();
    report.ok("Microsoft Entra token by " + tokens->describe() + ": " +
              token_identity(token.value.reveal()));
  } catch (const std::exception& error) {
    report.fail("Microsoft Entra token", error.what());
    return;
  }
  if (sink.endpoint.empty() || sink.dcr_immutable_id.empty() || sink.stream.empty()) {
    // A move from another pipeline checks the table before the rule exists.
    report.fail("post to the data collection rule",
                "[sink.logs_ingestion] endpoint, dcr_immutable_id and stream are not all set: "
                "deploy `gd2sentinel azure-template --schema " +
                    config.transform.schema +
                    "` and copy its outputs logsIngestionEndpoint, dataCollectionRuleImmutableId "
                    "and streamName");
  } else {
    post_empty_array(report, sink, token, http);
  }
  try {
    azure::ResourceManager arm = make_resource_manager(config.azure, http);
    std::string workspace = check_stream_columns(report, config, arm);
    if (config.transform.schema == "legacy") check_legacy_table(report, config, arm, workspace);
  } catch (const std::exception& error) {
    report.fail("Azure Resource Manager", error.what());
  }
}

}  // namespace

int check_command(const std::string& config_path) {
  Config config;
  try {
    // A rule not deployed yet is a failed step below, not a config error: `check` guides a
    // move from another pipeline through the table's migration too.
    config = load_config(config_path, ConfigUse::kAzureSetup);
  } catch (const ConfigError& error) {
    print_error(error.what());
    return kExitUsage;
  }
  // Only errors: the steps speak for themselves.
  setup_logging("error", config.log.format);
  Report report;
  report.ok("config " + config_path);
  for (const std::string& warning : config.warnings) report.skip("warning", warning);
  http::HttpClientPtr http = http::make_curl_client(http_options(config.http));

  try {
    // Without the run's lock: `check` may look at a database a running service holds.
    SqliteStateStore state(config.state.path, StateAccess::kInspect);
    report.ok("state store " + config.state.path);
    SourceParts parts = make_source(config, state, true, http);
    if (parts.credentials) {
      try {
        aws::AwsCredentials credentials = parts.credentials->credentials();
        report.ok("AWS credentials from " + credentials.provider + " (access key " +
                  credentials.access_key_id + ")");
      } catch (const std::exception& error) {
        report.fail("AWS credentials", error.what());
        parts.credentials.reset();
      }
    }
    if (parts.credentials) {
      if (config.s3_listing_source) check_s3_listing(report, *parts.s3, *config.s3_listing_source);
      if (config.sqs_source) check_sqs(report, *parts.sqs, *config.sqs_source);
      if (config.guardduty_api_source) check_guardduty(report, parts, *config.guardduty_api_source);
    }
    if (config.files_source) {
      for (const std::string& path : config.files_source->paths) {
        std::error_code ec;
        if (std::filesystem::exists(path, ec))
          report.ok("files source " + path);
        else
          report.fail("files source " + path, "does not exist");
      }
    }
  } catch (const std::exception& error) {
    report.fail("source", error.what());
  }

  if (config.logs_ingestion_sink) {
    check_logs_ingestion(report, config, http);
  } else if (config.data_collector_sink) {
    report.skip("data collector sink", "the retired API is not checked; move to logs_ingestion");
  } else if (config.file_sink) {
    const std::string& path = config.file_sink->path;
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (path == "-" || access(dir.empty() ? "." : dir.c_str(), W_OK) == 0)
      report.ok("file sink " + path);
    else
      report.fail("file sink " + path, "its folder is not writable by this user");
  }
  std::printf("%s\n", report.failures() == 0
                          ? "every check passed"
                          : (std::to_string(report.failures()) + " checks failed").c_str());
  return report.failures() == 0 ? kExitOk : kExitFailure;
}

}  // namespace gd2s
