// Environment, shared-file profiles, credential_process, web identity and assumed roles.
// (Container and instance-metadata providers are in metadata_credentials.cpp.)

#include "aws/credential_providers.h"

#include <ini.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "aws/sts.h"

extern char** environ;

namespace gd2s::aws {
namespace {

using IniSections = std::map<std::string, std::map<std::string, std::string>>;

// Reads an INI file (the AWS shared files' format); an absent file is an empty one.
IniSections read_ini(const std::string& path, bool& found) {
  IniSections sections;
  found = access(path.c_str(), R_OK) == 0;
  if (!found) return sections;
  auto handler = [](void* user, const char* section, const char* key, const char* value) -> int {
    auto* out = static_cast<IniSections*>(user);
    std::string name(key);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    (*out)[section][name] = value;
    return 1;
  };
  int rc = ini_parse(path.c_str(), handler, &sections);
  if (rc > 0) throw CredentialsError(path + ": cannot parse line " + std::to_string(rc));
  return sections;
}

std::string home_file(const EnvLookup& env, const std::string& variable, const std::string& name) {
  std::string path = env(variable);
  if (!path.empty()) return path;
  std::string home = env("HOME");
  return (home.empty() ? std::string(".") : home) + "/.aws/" + name;
}

std::string session_name(const std::string& prefix) {
  char host[128] = {};
  gethostname(host, sizeof host - 1);
  std::string name = prefix + "-" + host;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("+=,.@-_").find(c) == std::string_view::npos)
      c = '-';
  return name.substr(0, 64);
}

class EnvironmentProvider final : public CredentialProvider {
 public:
  explicit EnvironmentProvider(EnvLookup env) : env_(std::move(env)) {}
  std::string name() const override { return "environment"; }
  AwsCredentials credentials() override {
    std::string key = env_("AWS_ACCESS_KEY_ID");
    std::string secret = env_("AWS_SECRET_ACCESS_KEY");
    if (key.empty() && secret.empty())
      throw CredentialsUnavailable("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
    if (key.empty() || secret.empty())
      throw CredentialsError(
          std::string(key.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
          " is not set, but the other one is");
    std::string token = env_("AWS_SESSION_TOKEN");
    if (token.empty()) token = env_("AWS_SECURITY_TOKEN");
    AwsCredentials out{key, Secret(secret), Secret(token), std::nullopt, "environment"};
    if (std::string expiry = env_("AWS_CREDENTIAL_EXPIRATION"); !expiry.empty())
      out.expiration = parse_iso8601(expiry);
    return out;
  }

 private:
  EnvLookup env_;
};

// Splits a credential_process command line like a shell would, without running a shell.
std::vector<std::string> split_command(const std::string& command) {
  std::vector<std::string> args;
  std::string current;
  bool in_arg = false;
  char quote = 0;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < command.size()) {
        current += command[++i];
      } else {
        current += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_arg = true;
    } else if (c == ' ' || c == '\t') {
      if (in_arg) args.push_back(std::move(current));
      current.clear();
      in_arg = false;
    } else if (c == '\\' && i + 1 < command.size()) {
      current += command[++i];
      in_arg = true;
    } else {
      current += c;
      in_arg = true;
    }
  }
  if (in_arg) args.push_back(std::move(current));
  return args;
}

AwsCredentials run_credential_process(const std::string& command, const std::string& profile) {
  std::vector<std::string> args = split_command(command);
  if (args.empty()) throw CredentialsError("profile " + profile + ": credential_process is empty");
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw CredentialsError("credential_process: cannot create a pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (rc != 0) {
    close(pipe_fds[0]);
    throw CredentialsError("profile " + profile + ": credential_process " + args[0] +
                           " cannot be started: " + std::strerror(rc));
  }
  std::string output;
  char buffer[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
    output.append(buffer, static_cast<size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  Secret output_secret{std::move(output)};  // wiped when done
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw CredentialsError("profile " + profile + ": credential_process " + args[0] +
                           " exited with status " + std::to_string(WEXITSTATUS(status)));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(output_secret.reveal()).get(doc) || !doc.is_object())
    throw CredentialsError("profile " + profile + ": credential_process " + args[0] +
                           " did not print a JSON object");
  auto text = [&](const char* key) {
    std::string_view value;
    return doc[key].get(value) ? std::string() : std::string(value);
  };
  int64_t version = 0;
  if (doc["Version"].get(version) || version != 1)
    throw CredentialsError("profile " + profile +
                           ": credential_process output must have \"Version\": 1");
  AwsCredentials out{text("AccessKeyId"), Secret(text("SecretAccessKey")),
                     Secret(text("SessionToken")), std::nullopt,
                     "credential_process (profile " + profile + ")"};
  if (std::string expiry = text("Expiration"); !expiry.empty())
    out.expiration = parse_iso8601(expiry);
  if (out.access_key_id.empty() || out.secret_access_key.empty())
    throw CredentialsError("profile " + profile +
                           ": credential_process output lacks AccessKeyId or SecretAccessKey");
  return out;
}

class WebIdentityProvider final : public CredentialProvider {
 public:
  WebIdentityProvider(std::string token_file, std::string role_arn, std::string session,
                      std::string endpoint, http::HttpClientPtr http, std::string unavailable)
      : token_file_(std::move(token_file)),
        role_arn_(std::move(role_arn)),
        session_(std::move(session)),
        endpoint_(std::move(endpoint)),
        http_(std::move(http)),
        unavailable_(std::move(unavailable)) {}
  std::string name() const override { return "web identity"; }
  AwsCredentials credentials() override {
    if (!unavailable_.empty()) throw CredentialsUnavailable(unavailable_);
    // Read afresh every time: the token is rotated on disk (EKS refreshes it hourly).
    std::ifstream in(token_file_);
    if (!in) throw CredentialsError("cannot read the web identity token file " + token_file_);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string token = buffer.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    return assume_role_with_web_identity(*http_, endpoint_, {role_arn_, session_, "", 3600},
                                         Secret(std::move(token)));
  }

 private:
  std::string token_file_, role_arn_, session_, endpoint_;
  http::HttpClientPtr http_;
  std::string unavailable_;
};

class AssumeRoleProvider final : public CredentialProvider {
 public:
  AssumeRoleProvider(CredentialProviderPtr source, AssumeRoleRequest request, std::string region,
                     std::string endpoint, http::HttpClientPtr http)
      : source_(std::move(source)),
        request_(std::move(request)),
        region_(std::move(region)),
        endpoint_(std::move(endpoint)),
        http_(std::move(http)) {}
  std::string name() const override { return "assume role " + request_.role_arn; }
  AwsCredentials credentials() override {
    return assume_role(*http_, endpoint_, region_, source_->credentials(), request_);
  }

 private:
  CredentialProviderPtr source_;
  AssumeRoleRequest request_;
  std::string region_, endpoint_;
  http::HttpClientPtr http_;
};

class StaticProvider final : public CredentialProvider {
 public:
  explicit StaticProvider(AwsCredentials credentials) : credentials_(std::move(credentials)) {}
  std::string name() const override { return credentials_.provider; }
  AwsCredentials credentials() override { return credentials_; }

 private:
  AwsCredentials credentials_;
};

class ProfileProvider final : public CredentialProvider {
 public:
  ProfileProvider(ChainOptions options, http::HttpClientPtr http)
      : options_(std::move(options)), http_(std::move(http)) {
    profile_ = options_.profile;
    if (profile_.empty()) profile_ = options_.env("AWS_PROFILE");
    if (profile_.empty()) profile_ = "default";
  }
  std::string name() const override { return "profile " + profile_; }

  AwsCredentials credentials() override {
    bool have_credentials = false, have_config = false;
    IniSections credentials_file = read_ini(
        home_file(options_.env, "AWS_SHARED_CREDENTIALS_FILE", "credentials"), have_credentials);
    IniSections config_file =
        read_ini(home_file(options_.env, "AWS_CONFIG_FILE", "config"), have_config);
    if (!have_credentials && !have_config)
      throw CredentialsUnavailable("no shared credentials or config file");
    return resolve(profile_, credentials_file, config_file, 0)->credentials();
  }

 private:
  std::map<std::string, std::string> settings(const std::string& profile,
                                              const IniSections& credentials_file,
                                              const IniSections& config_file) {
    std::map<std::string, std::string> merged;
    std::string config_section = profile == "default" ? "default" : "profile " + profile;
    if (auto it = config_file.find(config_section); it != config_file.end()) merged = it->second;
    if (auto it = credentials_file.find(profile); it != credentials_file.end())
      for (const auto& [key, value] : it->second) merged[key] = value;  // credentials file wins
    return merged;
  }

  CredentialProviderPtr resolve(const std::string& profile, const IniSections& credentials_file,
                                const IniSections& config_file, int depth) {
    if (depth > 4)
      throw CredentialsError("profile " + profile + ": source_profile chain is too long (a loop?)");
    auto s = settings(profile, credentials_file, config_file);
    if (s.empty())
      throw CredentialsUnavailable("profile " + profile + " is not in the shared files");
    std::string sts_endpoint = resolve_endpoint("sts", region_for(s), options_.endpoints);
    if (s.contains("role_arn")) {
      AssumeRoleRequest request{
          s["role_arn"],
          s.contains("role_session_name") ? s["role_session_name"] : session_name("gd2sentinel"),
          s["external_id"],
          s.contains("duration_seconds") ? std::atoi(s["duration_seconds"].c_str()) : 3600};
      if (s.contains("web_identity_token_file"))
        return std::make_shared<WebIdentityProvider>(s["web_identity_token_file"], request.role_arn,
                                                     request.session_name, sts_endpoint, http_, "");
      CredentialProviderPtr source;
      if (s.contains("source_profile")) {
        // A profile that is its own source uses its static keys (the AWS CLI's rule).
        if (s["source_profile"] == profile) {
          source = static_keys(profile, s);
        } else {
          source = resolve(s["source_profile"], credentials_file, config_file, depth + 1);
        }
      } else if (s.contains("credential_source")) {
        const std::string& where = s["credential_source"];
        if (where == "Environment")
          source = make_environment_provider(options_.env);
        else if (where == "Ec2InstanceMetadata")
          source = make_imds_provider(options_.env, http_);
        else if (where == "EcsContainer")
          source = make_container_provider(options_.env, http_);
        else
          throw CredentialsError("profile " + profile + ": credential_source " + where +
                                 " is not one of Environment, Ec2InstanceMetadata, EcsContainer");
      } else {
        throw CredentialsError(
            "profile " + profile +
            ": role_arn needs source_profile, credential_source or web_identity_token_file");
      }
      return std::make_shared<AssumeRoleProvider>(source, request, region_for(s), sts_endpoint,
                                                  http_);
    }
    if (s.contains("credential_process")) {
      std::string command = s["credential_process"];
      struct Process final : CredentialProvider {
        std::string command, profile;
        std::string name() const override { return "credential_process"; }
        AwsCredentials credentials() override { return run_credential_process(command, profile); }
      };
      auto process = std::make_shared<Process>();
      process->command = command;
      process->profile = profile;
      return process;
    }
    return static_keys(profile, s);
  }

  CredentialProviderPtr static_keys(const std::string& profile,
                                    std::map<std::string, std::string>& s) {
    if (!s.contains("aws_access_key_id") || !s.contains("aws_secret_access_key"))
      throw CredentialsUnavailable(
          "profile " + profile +
          " has no aws_access_key_id/aws_secret_access_key, credential_process or role_arn");
    return std::make_shared<StaticProvider>(
        AwsCredentials{s["aws_access_key_id"], Secret(s["aws_secret_access_key"]),
                       Secret(s["aws_session_token"]), std::nullopt, "profile " + profile});
  }

  std::string region_for(std::map<std::string, std::string>& s) const {
    if (s.contains("region")) return s["region"];
    return options_.region;
  }

  ChainOptions options_;
  http::HttpClientPtr http_;
  std::string profile_;
};

}  // namespace

CredentialProviderPtr make_environment_provider(EnvLookup env) {
  return std::make_shared<EnvironmentProvider>(std::move(env));
}

CredentialProviderPtr make_profile_provider(const ChainOptions& options, http::HttpClientPtr http) {
  return std::make_shared<ProfileProvider>(options, std::move(http));
}

CredentialProviderPtr make_web_identity_provider(const ChainOptions& options,
                                                 http::HttpClientPtr http) {
  std::string token_file = options.env("AWS_WEB_IDENTITY_TOKEN_FILE");
  std::string role_arn = options.env("AWS_ROLE_ARN");
  std::string unavailable;
  if (token_file.empty() || role_arn.empty())
    unavailable = "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set";
  std::string session = options.env("AWS_ROLE_SESSION_NAME");
  if (session.empty()) session = session_name("gd2sentinel");
  return std::make_shared<WebIdentityProvider>(
      token_file, role_arn, session,
      resolve_endpoint("sts", options.region.empty() ? "us-east-1" : options.region,
                       options.endpoints),
      std::move(http), unavailable);
}

CredentialProviderPtr make_assume_role_provider(CredentialProviderPtr source, std::string role_arn,
                                                std::string external_id, std::string session,
                                                const ChainOptions& options,
                                                http::HttpClientPtr http) {
  std::string region = options.region.empty() ? "us-east-1" : options.region;
  return std::make_shared<AssumeRoleProvider>(
      std::move(source),
      AssumeRoleRequest{std::move(role_arn), std::move(session), std::move(external_id), 3600},
      region, resolve_endpoint("sts", region, options.endpoints), std::move(http));
}

}  // namespace gd2s::aws
