#include "app/config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "app/metrics_server.h"
#include "app/registry.h"
#include "core/config_reader.h"
#include "core/time.h"
#include "transform/schema.h"

namespace gd2s {
namespace {

constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};
constexpr std::string_view kLogFormats[] = {"text", "json"};

constexpr OptionDoc kLogOptions[] = {
    {"level", R"(`"trace"`, `"debug"`, `"info"`, `"warn"`, `"error"`)", R"(`"info"`)"},
    {"format", R"(`"text"` or `"json"`)", R"(`"text"`)"},
    {"progress_interval", "duration", R"(`"60s"`)"},
};

constexpr OptionDoc kMetricsOptions[] = {
    {"listen", R"(`"host:port"`)", R"(`""` (off))"},
    {"ready_window", R"(duration, at least `"10s"`)", R"(`"15m"`)"},
};

const toml::table* sub_table(TableReader& parent, const toml::table& table, std::string_view key) {
  const toml::node* node = table.get(key);
  parent.allow(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) {
    parent.issue(key, "must be a table");
    return nullptr;
  }
  return node->as_table();
}

// A top-level table, read by its owner's `read(reader, out)`.
template <typename Out, typename Read>
void read_table(TableReader& top, const toml::table& root, std::string_view name,
                std::span<const OptionDoc> options, std::vector<ConfigIssue>& issues, Out& out,
                Read read) {
  const toml::table* table = sub_table(top, root, name);
  if (table == nullptr) return;
  TableReader r(*table, std::string(name), options, issues);
  read(r, out);
  r.finish();
}

void read_log(TableReader& r, LogConfig& log) {
  r.read_choice("level", log.level, kLogLevels);
  r.read_choice("format", log.format, kLogFormats);
  r.read("progress_interval", log.progress_interval);
}

void read_metrics(TableReader& r, MetricsConfig& metrics) {
  r.read("listen", metrics.listen);
  r.read("ready_window", metrics.ready_window);
  std::string host;
  int port = 0;
  if (!metrics.listen.empty() && !parse_listen_address(metrics.listen, host, port))
    r.issue("listen", "must be host:port (\"127.0.0.1:9464\", \"[::1]:9464\", \"0.0.0.0:9464\")");
  if (metrics.ready_window < std::chrono::seconds(10))
    r.issue("ready_window", "must be at least 10s");
}

template <typename Kind>
std::string join(std::span<const Kind> kinds) {
  std::string out;
  for (const Kind& kind : kinds) out += (out.empty() ? "" : ", ") + std::string(kind.name);
  return out;
}

// [source.*] and [sink.*]: exactly one of the registry's kinds, read by its own reader.
template <typename Kind, typename ReadKind>
void read_one_of(const toml::table& root, TableReader& top, std::string_view section,
                 std::span<const Kind> kinds, std::vector<ConfigIssue>& issues,
                 ReadKind read_kind) {
  const toml::table* table = sub_table(top, root, section);
  if (table == nullptr) {
    if (root.get(section) == nullptr)
      issues.push_back(ConfigIssue{std::string(section), 0,
                                   "is required: add one [" + std::string(section) +
                                       ".<kind>] table (kinds: " + join(kinds) + ")"});
    return;
  }
  TableReader r(*table, std::string(section), {}, issues);
  int found = 0;
  for (const Kind& kind : kinds) {
    if (const toml::table* sub = sub_table(r, *table, kind.name)) {
      ++found;
      TableReader reader(*sub, std::string(section) + "." + std::string(kind.name), kind.options(),
                         issues);
      read_kind(kind, reader);
      reader.finish();
    }
  }
  r.finish();
  if (found > 1)
    issues.push_back(ConfigIssue{
        std::string(section), top.line_of(section),
        "names more than one kind; a run has exactly one [" + std::string(section) + ".*] table"});
  else if (found == 0 && table->empty())
    issues.push_back(ConfigIssue{std::string(section), top.line_of(section),
                                 "is empty: add one [" + std::string(section) + ".<kind>] table"});
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "[::1]" || host.ends_with(".localhost")) return true;
  in_addr address{};
  std::string name(host);
  return inet_pton(AF_INET, name.c_str(), &address) == 1 &&
         (ntohl(address.s_addr) >> 24) == 127;  // 127.0.0.0/8
}

// The host of "scheme://host[:port]/…", brackets kept for IPv6 literals.
std::string_view url_host(std::string_view url) {
  size_t start = url.find("://");
  if (start == std::string_view::npos) return {};
  std::string_view rest = url.substr(start + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (rest.starts_with('[')) return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

// Every endpoint that receives a credential (a secret, a token, a signature with a session
// token) must be https:// unless it is on this host. The metadata endpoints are http:// by
// design and link-local, so they are not listed.
void check_cleartext(TableReader& top, Config& config, std::vector<ConfigIssue>& issues) {
  std::vector<std::pair<std::string, const std::string*>> endpoints{
      {"aws.s3_endpoint", &config.aws.s3_endpoint},
      {"aws.sqs_endpoint", &config.aws.sqs_endpoint},
      {"aws.sts_endpoint", &config.aws.sts_endpoint},
      {"aws.guardduty_endpoint", &config.aws.guardduty_endpoint},
      {"azure.authority_host", &config.azure.authority_host},
      {"azure.resource_manager", &config.azure.resource_manager}};
  if (config.logs_ingestion_sink)
    endpoints.emplace_back("sink.logs_ingestion.endpoint", &config.logs_ingestion_sink->endpoint);
  if (config.data_collector_sink)
    endpoints.emplace_back("sink.data_collector.endpoint", &config.data_collector_sink->endpoint);
  for (const auto& [key, url] : endpoints) {
    if (!url->starts_with("http://") || is_loopback_host(url_host(*url))) continue;
    if (config.http.allow_insecure_http) {
      config.warnings.push_back(key + " = \"" + *url +
                                "\" is plain http://: credentials and findings cross the network "
                                "in clear ([http] allow_insecure_http = true)");
    } else {
      issues.push_back(ConfigIssue{
          key, top.line_of(key.substr(0, key.find('.'))),
          "is plain http:// to a host other than this one: the credentials and tokens sent to it "
          "would cross the network in clear. Use https://, or set [http] allow_insecure_http = "
          "true for a test network"});
    }
  }
}

Config build(const toml::table& root, const std::string& file, ConfigUse use) {
  Config config;
  config.file = file;
  std::vector<ConfigIssue> issues;
  TableReader top(root, "", {}, issues);

  read_one_of(root, top, "source", source_kinds(), issues,
              [&](const SourceKind& kind, TableReader& reader) {
                kind.read(reader, config);
                config.source_kind = kind.name;
              });
  read_one_of(root, top, "sink", sink_kinds(), issues,
              [&](const SinkKind& kind, TableReader& reader) {
                kind.read(reader, config, use);
                config.sink_kind = kind.name;
              });
  read_table(top, root, "transform", transform_options(), issues, config.transform,
             read_transform_config);
  read_table(top, root, "aws", aws_options(), issues, config.aws, read_aws_config);
  read_table(top, root, "http", http_config_options(), issues, config.http, read_http_config);
  read_table(top, root, "azure", azure::azure_options(), issues, config.azure,
             azure::read_azure_config);
  if (config.data_collector_sink && config.transform.schema != SchemaKind::kLegacy)
    issues.push_back(ConfigIssue{
        "transform.schema", top.line_of("transform"),
        "must be \"legacy\" with [sink.data_collector]: the Data Collector API names the columns "
        "itself (type_s, title_s, …), which is the legacy schema"});
  read_table(top, root, "dead_letter", dead_letter_options(), issues, config.dead_letter,
             read_dead_letter_config);
  read_table(top, root, "state", state_options(), issues, config.state, read_state_config);
  read_table(top, root, "log", kLogOptions, issues, config.log, read_log);
  read_table(top, root, "metrics", kMetricsOptions, issues, config.metrics, read_metrics);
  check_cleartext(top, config, issues);
  top.finish();
  if (!issues.empty()) throw ConfigError(file, std::move(issues));
  return config;
}

}  // namespace

namespace {
// Missing keys (line 0) first, then in file order: the order a person fixes them in.
std::vector<ConfigIssue> in_file_order(std::vector<ConfigIssue> issues) {
  std::stable_sort(issues.begin(), issues.end(),
                   [](const ConfigIssue& a, const ConfigIssue& b) { return a.line < b.line; });
  return issues;
}
}  // namespace

ConfigError::ConfigError(std::string file, std::vector<ConfigIssue> unordered)
    : ConfigError(std::move(file), in_file_order(std::move(unordered)), 0) {}

ConfigError::ConfigError(std::string file, std::vector<ConfigIssue> issues, int)
    : std::runtime_error([&] {
        std::string text;
        for (const ConfigIssue& issue : issues) {
          if (!text.empty()) text += '\n';
          text += issue.format(file);
        }
        return text;
      }()),
      file_(std::move(file)),
      issues_(std::move(issues)) {}

Config parse_config(const std::string& text, const std::string& file, ConfigUse use) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& error) {
    throw ConfigError(file, {ConfigIssue{"(syntax)", static_cast<int>(error.source().begin.line),
                                         std::string(error.description())}});
  }
  return build(root, file, use);
}

Config load_config(const std::string& path, ConfigUse use) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path, {ConfigIssue{"(file)", 0, "cannot be read"}});
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path, use);
}

namespace {

// The folder `path` is created in must exist and take new files; the file itself, if there,
// must be writable.
std::optional<std::string> unwritable(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path file(path);
  fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  std::error_code error;
  if (!fs::is_directory(folder, error))
    return "its folder " + folder.string() + " does not exist (create it, or change the path)";
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    return "its folder " + folder.string() +
           " is not writable by this user: " + std::strerror(errno);
  if (fs::exists(file, error) && ::access(file.c_str(), W_OK) != 0)
    return "the file is not writable by this user: " + std::string(std::strerror(errno));
  return std::nullopt;
}

// Binds (and releases) the address the metrics listener will take.
std::optional<std::string> unbindable(const std::string& listen) {
  std::string host;
  int port = 0;
  if (!parse_listen_address(listen, host, port)) return std::nullopt;  // reported already
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    return "cannot resolve " + host + ": " + ::gai_strerror(rc);
  std::optional<std::string> problem;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc = ::bind(fd, a->ai_addr, a->ai_addrlen);
    int error = errno;
    ::close(fd);
    // In use: most likely by this service, already running; the start-up says so if not.
    if (rc == 0 || error == EADDRINUSE) {
      problem.reset();
      break;
    }
    problem = "cannot listen on " + listen + ": " + std::strerror(error) +
              (error == EADDRNOTAVAIL ? " (this host has no such address)" : "");
  }
  ::freeaddrinfo(found);
  return problem;
}

}  // namespace

std::vector<ConfigIssue> host_issues(const Config& config) {
  std::vector<ConfigIssue> issues;
  if (auto problem = unwritable(config.state.path))
    issues.push_back({"state.path", 0, "\"" + config.state.path + "\": " + *problem});
  if (auto problem = unwritable(config.dead_letter.path))
    issues.push_back({"dead_letter.path", 0, "\"" + config.dead_letter.path + "\": " + *problem});
  if (!config.metrics.listen.empty())
    if (auto problem = unbindable(config.metrics.listen))
      issues.push_back({"metrics.listen", 0, *problem});
  return issues;
}

std::vector<TableDoc> documented_tables() {
  std::vector<TableDoc> tables;
  for (const SourceKind& kind : source_kinds())
    tables.push_back({"source." + std::string(kind.name), kind.options()});
  tables.push_back({"aws", aws_options()});
  tables.push_back({"http", http_config_options()});
  tables.push_back({"transform", transform_options()});
  for (const SinkKind& kind : sink_kinds())
    tables.push_back({"sink." + std::string(kind.name), kind.options()});
  tables.push_back({"azure", azure::azure_options()});
  tables.push_back({"dead_letter", dead_letter_options()});
  tables.push_back({"state", state_options()});
  tables.push_back({"log", kLogOptions});
  tables.push_back({"metrics", kMetricsOptions});
  return tables;
}

}  // namespace gd2s
