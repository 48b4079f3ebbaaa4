#include "support/aws_standin.h"

#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "aws/endpoints.h"
#include "aws/sigv4.h"
#include "http/curl_client.h"
#include "support/test_support.h"

extern char** environ;

namespace gd2s::test {

AwsStandin::AwsStandin() : http_(http::make_curl_client({})) {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string script = source_dir() + "/tools/aws-standin/standin.mjs";
  std::vector<std::string> args{"node", script, "--quiet"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int rc = posix_spawnp(&pid_, "node", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (rc != 0) {
    close(out[0]);
    throw std::runtime_error("cannot start node for the AWS stand-in");
  }
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);
  simdjson::dom::parser parser;
  simdjson::dom::element ready;
  std::string_view endpoint, region;
  if (parser.parse(line).get(ready) || ready["endpoint"].get(endpoint))
    throw std::runtime_error("the AWS stand-in did not start: " + line);
  endpoint_ = std::string(endpoint);
  if (!ready["region"].get(region)) region_ = std::string(region);
}

AwsStandin::~AwsStandin() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

aws::AwsCredentials AwsStandin::credentials() {
  return {kAccessKeyId, Secret(kSecretAccessKey), Secret(), std::nullopt, "stand-in"};
}

http::Response AwsStandin::s3(const std::string& method, const std::string& path,
                              const std::string& body) {
  std::string url = endpoint_ + path;
  aws::SignableRequest signable{
      method, path, "", {{"Host", aws::host_header(endpoint_)}}, aws::sha256_hex(body)};
  aws::sign_headers(
      signable, credentials(), {region_, "s3", true},
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  http::Request request{method, url, signable.headers, body, std::chrono::milliseconds(0)};
  http::Response response = http_->send(request);
  if (response.status >= 300)
    throw std::runtime_error(method + " " + path + ": HTTP " + std::to_string(response.status) +
                             " " + response.body.substr(0, 300));
  return response;
}

void AwsStandin::create_bucket(const std::string& bucket) {
  s3("PUT", "/" + bucket, "");
}

void AwsStandin::put_object(const std::string& bucket, const std::string& key,
                            const std::string& body) {
  s3("PUT", "/" + bucket + "/" + aws::uri_encode(key, true), body);
}

void AwsStandin::delete_object(const std::string& bucket, const std::string& key) {
  s3("DELETE", "/" + bucket + "/" + aws::uri_encode(key, true), "");
}

void AwsStandin::add_fault(const std::string& rule_json) {
  http::Response r = http_->send({"POST",
                                  endpoint_ + "/_standin/faults",
                                  {{"Content-Type", "application/json"}},
                                  rule_json,
                                  std::chrono::milliseconds(0)});
  if (r.status >= 300)
    throw std::runtime_error("adding a fault: HTTP " + std::to_string(r.status) + " " + r.body);
}

void AwsStandin::clear_faults() {
  http_->send({"DELETE", endpoint_ + "/_standin/faults", {}, "", std::chrono::milliseconds(0)});
}

}  // namespace gd2s::test
