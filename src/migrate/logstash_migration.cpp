#include "migrate/logstash_migration.h"

#include <algorithm>
#include <map>
#include <set>

#include "migrate/logstash_plan.h"

namespace gd2s::migrate {
namespace {

using logstash::Plugin;
using logstash::PluginPlacement;
using logstash::Setting;
using logstash::SourcePos;
using logstash::Value;

constexpr std::string_view kClassic = "microsoft-logstash-output-azure-loganalytics";
constexpr std::string_view kCommunity = "azure_loganalytics";
constexpr std::string_view kDcrPlugin = "microsoft-sentinel-log-analytics-logstash-output-plugin";

bool is_azure_output(std::string_view name) {
  return name == kClassic || name == kCommunity || name == kDcrPlugin;
}

// Why an s3 input setting has no place in gd2sentinel's config.
const std::map<std::string, std::string, std::less<>>& s3_reasons() {
  static const std::map<std::string, std::string, std::less<>> reasons{
      {"delete",
       "gd2sentinel never deletes objects (expire them with an S3 lifecycle rule if you must)"},
      {"backup_to_bucket",
       "gd2sentinel does not copy objects; S3 replication does, without a reader in the middle"},
      {"backup_to_dir", "gd2sentinel does not copy objects to disk"},
      {"backup_add_prefix", "gd2sentinel does not copy objects"},
      {"exclude_pattern",
       "gd2sentinel reads GuardDuty's layout AWSLogs/<account>/GuardDuty/<region>/ only; narrow "
       "it with accounts and regions in [source.s3_listing]"},
      {"watch_for_new_files",
       "gd2sentinel lists the bucket again every interval; `run --once` makes one pass"},
      {"gzip_pattern", "gd2sentinel recognises gzip by its bytes, whatever the name"},
      {"include_object_properties",
       "gd2sentinel does not add S3 object properties to rows; the columns come from the finding"},
      {"temporary_directory", "gd2sentinel streams objects without temporary files"},
      {"cutoff_second",
       "gd2sentinel keeps a checkpoint per object, so an object written during a listing is read "
       "on the next one"},
      {"role_session_name", "gd2sentinel names its own role session"},
      {"proxy_uri", "set [http] proxy (or HTTPS_PROXY) instead"},
      {"use_aws_bundled_ca", "gd2sentinel uses the system's CAs; [http] ca_file adds more"},
      {"web_identity_token_file",
       "gd2sentinel reads AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN from its environment"},
  };
  return reasons;
}

// Settings of the Azure outputs that only tune Logstash's own batching and retries.
bool is_batching_setting(std::string_view name) {
  static const std::set<std::string, std::less<>> names{
      "plugin_flush_interval", "decrease_factor",
      "amount_resizing",       "max_items",
      "retransmission_time",   "flush_items",
      "flush_interval_time",   "compress_data",
      "create_sample_file",    "sample_file_path",
      "max_retries_num",       "initial_wait_time_seconds"};
  return names.contains(name);
}

// Settings every Logstash plugin has.
bool is_common_setting(std::string_view name) {
  return name == "id" || name == "enable_metric" || name == "tags" || name == "type" ||
         name == "add_field";
}

class Analysis {
 public:
  explicit Analysis(const LogstashMigrationRequest& request) : request_(request) {}

  Plan run() {
    const PluginPlacement& input = choose_input();
    const PluginPlacement& output = choose_output();
    read_s3(input);
    read_output(output);
    list_the_rest(input, output);
    apply_flags();
    starting_point(input);
    return std::move(plan_);
  }

 private:
  std::string where(const SourcePos& pos) const {
    if (request_.pipeline.files.size() == 1) return "line " + std::to_string(pos.line);
    return pos.where();
  }
  std::string named(const PluginPlacement& p) const {
    return p.plugin->name + " (" + where(p.plugin->pos) + ")";
  }
  void carried(const SourcePos& pos, std::string text) {
    plan_.carried.push_back({where(pos), std::move(text)});
  }
  void not_carried(const SourcePos& pos, std::string text) {
    plan_.not_carried.push_back({where(pos), std::move(text)});
  }
  void secret(const SourcePos& pos, std::string text) {
    plan_.secrets.push_back({where(pos), std::move(text)});
  }

  // A single value with ${VAR} and ${VAR:default} resolved from this process's environment.
  std::string scalar(const Setting& s, std::string_view owner) const {
    if (s.value.kind == Value::Kind::kPlugin) return s.value.text;
    if (!s.value.is_scalar())
      throw MigrationError(s.pos.where() + ": " + std::string(owner) + " " + s.name +
                           " must be a single value here, not a list or a hash");
    std::string text = s.value.text;
    for (const logstash::EnvReference& ref : s.value.references) {
      std::string written =
          "${" + ref.name + (ref.fallback ? ":" + *ref.fallback : std::string()) + "}";
      std::optional<std::string> value = request_.getenv ? request_.getenv(ref.name) : std::nullopt;
      if (!value && !ref.fallback)
        throw MigrationError(s.pos.where() + ": " + std::string(owner) + " " + s.name + " is ${" +
                             ref.name +
                             "}, which is not set in this environment and has no default: set "
                             "it as Logstash's environment (or keystore) had it, e.g. export " +
                             ref.name + "=…, and run again");
      if (size_t at = text.find(written); at != std::string::npos)
        text.replace(at, written.size(), value ? *value : *ref.fallback);
    }
    return text;
  }
  bool truthy(const Setting& s, std::string_view owner) const { return scalar(s, owner) == "true"; }
  // The variable a secret came from, if the Logstash config referenced one.
  static std::string env_name(const Setting& s) {
    if (s.value.references.size() == 1 &&
        s.value.text == "${" + s.value.references[0].name +
                            (s.value.references[0].fallback ? ":" + *s.value.references[0].fallback
                                                            : std::string()) +
                            "}")
      return s.value.references[0].name;
    return "";
  }

  const PluginPlacement& choose_input() {
    inputs_ = logstash::plugins_of(request_.pipeline, "input");
    std::vector<size_t> s3;
    for (size_t i = 0; i < inputs_.size(); ++i)
      if (inputs_[i].plugin->name == "s3") s3.push_back(i);
    if (s3.empty()) {
      std::string found;
      for (const auto& p : inputs_) found += (found.empty() ? "" : ", ") + named(p);
      throw MigrationError("no `s3` input in " + request_.config_path + ": " +
                           (found.empty() ? "it has no inputs at all" : "inputs found: " + found) +
                           ". gd2sentinel migrates pipelines that read GuardDuty's S3 export "
                           "with Logstash's s3 input");
    }
    if (s3.size() > 1 && request_.s3_input == 0) {
      std::string list;
      for (size_t n = 0; n < s3.size(); ++n) {
        const Setting* bucket = inputs_[s3[n]].plugin->find("bucket");
        list += "\n  " + std::to_string(n + 1) + ": s3 (" + where(inputs_[s3[n]].plugin->pos) +
                ")" + (bucket ? ", bucket " + bucket->value.text : "");
      }
      throw MigrationError(std::to_string(s3.size()) + " `s3` inputs in " + request_.config_path +
                           ":" + list +
                           "\ngd2sentinel reads one bucket per config: choose one with "
                           "--s3-input N, and migrate again with the other N for a second "
                           "config (and a second [state] path)");
    }
    if (request_.s3_input > static_cast<int>(s3.size()) || request_.s3_input < 0)
      throw MigrationError("--s3-input " + std::to_string(request_.s3_input) + ": " +
                           request_.config_path + " has " + std::to_string(s3.size()) +
                           " `s3` input" + (s3.size() == 1 ? "" : "s"));
    return inputs_[s3[request_.s3_input > 0 ? static_cast<size_t>(request_.s3_input) - 1 : 0]];
  }

  const PluginPlacement& choose_output() {
    outputs_ = logstash::plugins_of(request_.pipeline, "output");
    std::vector<size_t> azure;
    for (size_t i = 0; i < outputs_.size(); ++i)
      if (is_azure_output(outputs_[i].plugin->name)) azure.push_back(i);
    if (azure.empty()) {
      std::string found;
      for (const auto& p : outputs_) found += (found.empty() ? "" : ", ") + named(p);
      throw MigrationError(
          "no Azure Log Analytics output in " + request_.config_path + ": " +
          (found.empty() ? "it has no outputs at all" : "outputs found: " + found) +
          ". gd2sentinel migrates pipelines that end in " + std::string(kClassic) + ", " +
          std::string(kCommunity) + " or " + std::string(kDcrPlugin));
    }
    if (azure.size() > 1) {
      std::string list;
      for (size_t i : azure) list += "\n  " + named(outputs_[i]);
      throw MigrationError(std::to_string(azure.size()) + " Azure outputs in " +
                           request_.config_path + ":" + list +
                           "\ngd2sentinel writes to one workspace per config: keep the output "
                           "that writes the GuardDuty table in a copy of the pipeline, migrate "
                           "that copy, and migrate the other the same way for a second config");
    }
    return outputs_[azure[0]];
  }

  void read_s3(const PluginPlacement& input) {
    const Plugin& s3 = *input.plugin;
    std::string under = conditions_text(input);
    carried(s3.pos, "input s3 → [source.s3_listing]" + under);
    std::vector<std::string> aws_keys;
    SourcePos first_key;
    for (const Setting& s : s3.settings) {
      const std::string& n = s.name;
      if (n == "bucket") {
        plan_.bucket = scalar(s, "s3");
        carried(s.pos, "bucket → [source.s3_listing] bucket");
      } else if (n == "prefix") {
        split_prefix(s, scalar(s, "s3"));
      } else if (n == "region") {
        plan_.region = scalar(s, "s3");
        carried(s.pos, "region → [source.s3_listing] region");
      } else if (n == "interval") {
        plan_.interval = scalar(s, "s3") + "s";
        carried(s.pos, "interval → [source.s3_listing] interval (seconds between listings)");
      } else if (n == "role_arn") {
        plan_.role_arn = scalar(s, "s3");
        carried(s.pos, "role_arn → [aws] role_arn");
      } else if (n == "endpoint") {
        plan_.s3_endpoint = scalar(s, "s3");
        carried(s.pos, "endpoint → [aws] s3_endpoint");
      } else if (n == "additional_settings") {
        additional_settings(s);
      } else if (n == "codec") {
        codec(s);
      } else if (n == "sincedb_path") {
        sincedb_setting_ = &s;
        carried(s.pos, "sincedb_path → the starting point (modified_after)");
      } else if (n == "access_key_id" || n == "secret_access_key" || n == "session_token") {
        if (aws_keys.empty()) first_key = s.pos;
        aws_keys.push_back(n + (env_name(s).empty() ? "" : " (${" + env_name(s) + "})"));
      } else if (n == "aws_credentials_file") {
        secret(s.pos,
               "aws_credentials_file: not read, not written. Give gd2sentinel an IAM role "
               "or the standard AWS variables instead (steps below)");
        aws_secret_ = true;
      } else if (auto reason = s3_reasons().find(n); reason != s3_reasons().end()) {
        // A proxy URL may hold a password: its value is not shown.
        not_carried(s.pos, (n == "proxy_uri" ? n : n + " => " + shown(s)) + ": " + reason->second);
      } else if (is_common_setting(n)) {
        not_carried(s.pos,
                    n + " (on every event Logstash read): gd2sentinel's rows hold the "
                        "finding's columns only, so a column it added to the old table stays "
                        "empty in new rows");
      } else {
        not_carried(s.pos, n + ": gd2sentinel has no such setting");
      }
    }
    if (plan_.bucket.empty())
      throw MigrationError(s3.pos.where() +
                           ": the s3 input has no bucket, which Logstash "
                           "requires too");
    if (!s3.find("region"))
      carried(s3.pos, "region not set → \"us-east-1\", the default of Logstash's s3 input");
    if (!aws_keys.empty()) {
      std::string keys;
      for (const std::string& k : aws_keys) keys += (keys.empty() ? "" : ", ") + k;
      secret(first_key, keys +
                            ": not written. Better: an IAM role for gd2sentinel (instance "
                            "profile, [aws] role_arn, EKS IRSA); else AWS_ACCESS_KEY_ID and "
                            "AWS_SECRET_ACCESS_KEY in the service's environment. Rotate this "
                            "access key once Logstash is gone: it sat in a config file");
      aws_secret_ = true;
    }
  }

  // Logstash's prefix is any start of a key; gd2sentinel's is the folder before AWSLogs/, with
  // the account and Region below it as lists.
  void split_prefix(const Setting& s, const std::string& prefix) {
    logstash_prefix_ = prefix;
    size_t at = prefix.find("AWSLogs/");
    if (at == std::string::npos) {
      plan_.prefix = prefix;
      carried(s.pos, "prefix → [source.s3_listing] prefix");
      return;
    }
    plan_.prefix = prefix.substr(0, at);
    while (plan_.prefix.ends_with('/')) plan_.prefix.pop_back();
    std::vector<std::string> parts;
    std::string rest = prefix.substr(at + 8);
    for (size_t slash; (slash = rest.find('/')) != std::string::npos; rest.erase(0, slash + 1))
      parts.push_back(rest.substr(0, slash));
    std::string text =
        "prefix " + prefix + " → [source.s3_listing] prefix \"" + plan_.prefix + "\"";
    if (!parts.empty()) {
      plan_.accounts = {parts[0]};
      text += ", accounts [\"" + parts[0] + "\"]";
    }
    if (parts.size() >= 3 && parts[1] == "GuardDuty") {
      plan_.regions = {parts[2]};
      text += ", regions [\"" + parts[2] + "\"]";
    }
    carried(s.pos, text);
    if (!rest.empty() || parts.size() > 3 || (parts.size() >= 2 && parts[1] != "GuardDuty"))
      not_carried(s.pos, "prefix " + prefix +
                             ": gd2sentinel narrows a listing by whole account and Region "
                             "folders only (and by date with since); the rest of the prefix is "
                             "not carried over, so more may be read than Logstash read");
  }

  std::string shown(const Setting& s) const {
    return s.value.is_scalar() ? s.value.text : s.value.kind == Value::Kind::kHash ? "{…}" : "[…]";
  }

  void additional_settings(const Setting& s) {
    if (s.value.kind != Value::Kind::kHash) {
      not_carried(s.pos, "additional_settings: not a hash");
      return;
    }
    for (const logstash::HashEntry& entry : s.value.entries) {
      if (entry.key == "force_path_style" && entry.value.is_scalar()) {
        plan_.s3_path_style = entry.value.text == "true";
        carried(entry.pos, "additional_settings force_path_style → [aws] s3_path_style");
      } else {
        not_carried(entry.pos, "additional_settings " + entry.key +
                                   ": gd2sentinel has no such S3 client setting");
      }
    }
  }

  void codec(const Setting& s) {
    std::string name = s.value.kind == Value::Kind::kPlugin ? s.value.text : scalar(s, "s3");
    if (name == "json" || name == "json_lines")
      carried(s.pos, "codec => " + name +
                         ": gd2sentinel reads JSON lines and arrays itself (gzip by its bytes)");
    else
      not_carried(s.pos, "codec => " + name +
                             ": gd2sentinel reads each object as GuardDuty writes it (JSON "
                             "lines), so the findings become rows, not " +
                             name + " events");
  }

  void read_output(const PluginPlacement& output) {
    const Plugin& out = *output.plugin;
    plan_.output_plugin = out.name;
    plan_.dcr_output = out.name == kDcrPlugin;
    std::string under = conditions_text(output);
    if (!output.conditions.empty())
      plan_.differences.push_back(
          "The Azure output ran only for events that matched its condition; gd2sentinel sends "
          "every finding of the bucket (narrow it with [transform] include_types, exclude_types "
          "and min_severity)");
    carried(out.pos, "output " + out.name + " → [sink.logs_ingestion], schema legacy" + under);
    for (const Setting& s : out.settings) output_setting(s);
    if (!plan_.dcr_output && plan_.table.empty()) plan_.table = "AWSGuardDuty_CL";
    if (!plan_.dcr_output && plan_.table != "AWSGuardDuty_CL")
      plan_.differences.push_back(
          "The table: the Logstash pipeline wrote " + plan_.table +
          "; gd2sentinel's legacy template writes AWSGuardDuty_CL, with the same columns. Either "
          "deploy the template without --existing-table and move your queries to "
          "AWSGuardDuty_CL, or set the template's table and output stream to " +
          plan_.table + " and Custom-" + plan_.table + " before deploying it");
  }

  void output_setting(const Setting& s) {
    const std::string& n = s.name;
    const std::string& plugin = plan_.output_plugin;
    if (n == "workspace_id" || n == "customer_id") {
      plan_.workspace_id = scalar(s, plugin);
      carried(s.pos, n + ": names the workspace; the steps use it to find its ARM id");
    } else if (n == "workspace_key" || n == "shared_key") {
      secret(s.pos, n + (env_name(s).empty() ? "" : " (${" + env_name(s) + "})") +
                        ": not needed any more (the Logs Ingestion API takes an Entra token). "
                        "Rotate the workspace key once Logstash is gone: it sat in a config "
                        "file");
    } else if (n == "custom_log_table_name" || n == "log_type") {
      plan_.table = scalar(s, plugin) + "_CL";
      carried(s.pos, n + " → the table " + plan_.table);
    } else if (n == "endpoint" && !plan_.dcr_output) {
      std::string host = scalar(s, plugin);
      if (host.find(".azure.us") != std::string::npos) plan_.cloud = "usgovernment";
      if (host.find(".azure.cn") != std::string::npos) plan_.cloud = "china";
      carried(s.pos, "endpoint " + host + " → [azure] cloud = \"" +
                         (plan_.cloud.empty() ? "public" : plan_.cloud) + "\"");
    } else if (n == "azure_cloud") {
      std::string cloud = scalar(s, plugin);
      plan_.cloud = cloud == "AzureUSGovernment" ? "usgovernment"
                    : cloud == "AzureChinaCloud" ? "china"
                                                 : "";
      carried(s.pos, "azure_cloud " + cloud + " → [azure] cloud");
    } else if (n == "time_generated_field") {
      plan_.differences.push_back("TimeGenerated: the old rows took it from the event's " +
                                  scalar(s, plugin) + " field (time_generated_field, " +
                                  where(s.pos) +
                                  "); new rows take it from the finding's updatedAt");
      time_generated_field_ = true;
    } else if (n == "key_names" || n == "key_types") {
      plan_.differences.push_back(
          n + " (" + where(s.pos) + ") limited the old rows to some keys" +
          (n == "key_types" ? " and forced their types" : "") +
          "; new rows carry every column of the legacy schema (gd2sentinel schema --name legacy)");
      not_carried(s.pos, n + ": the legacy schema names the columns");
    } else if (n == "client_app_Id") {
      plan_.client_id = scalar(s, plugin);
      carried(s.pos, "client_app_Id → [azure] client_id");
    } else if (n == "tenant_id") {
      plan_.tenant_id = scalar(s, plugin);
      carried(s.pos, "tenant_id → [azure] tenant_id");
    } else if (n == "client_app_secret") {
      client_secret_env_ = env_name(s);
      client_secret_pos_ = s.pos;
      has_client_secret_ = true;
    } else if (n == "managed_identity") {
      if (truthy(s, plugin)) {
        managed_identity_ = true;
        carried(s.pos, "managed_identity => true → [azure] auth = \"managed_identity\"");
      }
    } else if (n == "data_collection_endpoint") {
      plan_.endpoint = scalar(s, plugin);
      plan_.endpoint_from_logstash = true;
      carried(s.pos,
              "data_collection_endpoint → [sink.logs_ingestion] endpoint (kept: a DCE "
              "serves any rule; the rule itself must be gd2sentinel's legacy one)");
    } else if (n == "dcr_immutable_id" || n == "dcr_stream_name") {
      not_carried(s.pos, n + ": that rule and stream were made for Logstash's raw events; "
                             "gd2sentinel posts the legacy schema's rows to its own rule's "
                             "Custom-GuardDutyLegacy stream");
    } else if (n == "azure_resource_id") {
      not_carried(s.pos,
                  "azure_resource_id: the Logs Ingestion API does not set _ResourceId "
                  "from the request; new rows leave it empty");
    } else if (is_batching_setting(n)) {
      not_carried(s.pos, n + ": gd2sentinel batches up to 1 MiB, gzips every request and "
                             "retries without a time limit");
    } else if (n.starts_with("proxy")) {
      not_carried(s.pos, n + ": set [http] proxy (or HTTPS_PROXY) instead");
    } else {
      not_carried(s.pos, n + ": gd2sentinel has no such setting");
    }
  }

  std::string conditions_text(const PluginPlacement& p) const {
    std::string text;
    for (const std::string& c : p.conditions) text += ", under " + c;
    if (!p.conditions.empty())
      text += " (gd2sentinel has no conditions: every finding of the bucket goes through)";
    return text;
  }

  void list_the_rest(const PluginPlacement& input, const PluginPlacement& output) {
    for (const auto& p : inputs_)
      if (p.plugin != input.plugin)
        not_carried(p.plugin->pos,
                    "input " + p.plugin->name +
                        ": gd2sentinel reads one source per config (GuardDuty's bucket)");
    for (const auto& p : logstash::plugins_of(request_.pipeline, "filter"))
      not_carried(p.plugin->pos,
                  "filter " + p.plugin->name +
                      ": gd2sentinel maps the finding itself to the legacy columns; what a "
                      "filter changed is not carried over (drop findings with [transform] "
                      "include_types, exclude_types, min_severity)");
    for (const auto& p : outputs_)
      if (p.plugin != output.plugin)
        not_carried(p.plugin->pos,
                    "output " + p.plugin->name +
                        ": gd2sentinel has one sink; keep a pipeline for it if it is still "
                        "needed");
  }

  void apply_flags() {
    if (!request_.endpoint.empty()) {
      plan_.endpoint = request_.endpoint;
      plan_.endpoint_from_logstash = false;
    }
    plan_.dcr_immutable_id = request_.dcr_immutable_id;
    plan_.workspace_resource_id = request_.workspace_resource_id;
    if (!request_.tenant_id.empty()) plan_.tenant_id = request_.tenant_id;
    if (!request_.client_id.empty()) plan_.client_id = request_.client_id;
    bool app = !plan_.tenant_id.empty() || !plan_.client_id.empty() || has_client_secret_;
    if (managed_identity_ && request_.tenant_id.empty() && request_.client_id.empty()) {
      plan_.auth = "managed_identity";
      plan_.tenant_id.clear();
      plan_.client_id.clear();
    } else if (app) {
      plan_.auth = "client_secret";
      plan_.client_secret_env =
          client_secret_env_.empty() ? "AZURE_CLIENT_SECRET" : client_secret_env_;
    }
    if (has_client_secret_)
      secret(client_secret_pos_,
             "client_app_secret" +
                 (client_secret_env_.empty() ? "" : " (${" + client_secret_env_ + "})") +
                 " → [azure] client_secret = \"env:" + plan_.client_secret_env +
                 "\" (the reference, never the value)");
    if (plan_.auth == "client_secret")
      plan_.secret_steps.push_back(
          "Set " + plan_.client_secret_env +
          " to the app registration's client secret in gd2sentinel's environment: `systemctl "
          "edit gd2sentinel`, [Service] Environment=" +
          plan_.client_secret_env +
          "=… (or, with the Debian package, put it in /etc/gd2sentinel/azure-client-secret and "
          "write client_secret = \"file:/run/credentials/gd2sentinel.service/"
          "azure-client-secret\")");
    if (aws_secret_)
      plan_.secret_steps.push_back(
          "Give gd2sentinel AWS credentials: better an IAM role (instance profile, [aws] "
          "role_arn, EKS IRSA); else AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
          "AWS_SESSION_TOKEN) in the service's environment. Then rotate the old access key");
    if (plan_.dcr_output)
      plan_.differences.push_back(
          "TimeGenerated: the old rule's transform set it (the time of ingestion unless it "
          "said otherwise); new rows' is the finding's updatedAt");
    else if (!time_generated_field_)
      plan_.differences.push_back(
          "TimeGenerated: the old rows' was the time the workspace received them (no "
          "time_generated_field); new rows' is the finding's updatedAt");
  }

  // Where to start: the flags, else the input's sincedb (logstash_start.cpp).
  void starting_point(const PluginPlacement& input) {
    S3InputStart start;
    start.bucket = plan_.bucket;
    start.prefix = logstash_prefix_;
    start.input_where = where(input.plugin->pos);
    bool from_sincedb_path = request_.sincedb.empty() && request_.start_after.empty() &&
                             !request_.from_beginning && sincedb_setting_ != nullptr;
    if (from_sincedb_path) {
      start.sincedb_path = scalar(*sincedb_setting_, "s3");
      start.sincedb_path_where = sincedb_setting_->pos.where();
    }
    choose_starting_point(request_, start, plan_);
  }

  const LogstashMigrationRequest& request_;
  Plan plan_;
  std::vector<PluginPlacement> inputs_;
  std::vector<PluginPlacement> outputs_;
  const Setting* sincedb_setting_ = nullptr;
  std::string logstash_prefix_;  // as written, for the sincedb's name
  bool aws_secret_ = false;
  bool managed_identity_ = false;
  bool has_client_secret_ = false;
  bool time_generated_field_ = false;
  std::string client_secret_env_;
  SourcePos client_secret_pos_;
};

}  // namespace

LogstashMigration migrate_logstash(const LogstashMigrationRequest& request) {
  Plan plan = Analysis(request).run();
  return LogstashMigration{render_config(plan, request), render_report(plan, request)};
}

}  // namespace gd2s::migrate
