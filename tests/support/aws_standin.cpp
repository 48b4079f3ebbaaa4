#include "support/aws_standin.h"

#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <stdexcept>

#include "aws/endpoints.h"
#include "aws/sigv4.h"
#include "core/json_writer.h"
#include "http/curl_client.h"
#include "support/test_support.h"

extern char** environ;

namespace gd2s::test {

AwsStandin::AwsStandin() : AwsStandin(std::vector<std::string>{}) {}

AwsStandin::AwsStandin(const std::vector<std::string>& more_regions)
    : http_(http::make_curl_client({})) {
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::string script = source_dir() + "/tools/aws-standin/standin.mjs";
  std::vector<std::string> args{"node", script, "--quiet"};
  if (!more_regions.empty()) args.insert(args.end(), {"--region", region_});
  for (const std::string& region : more_regions) args.insert(args.end(), {"--region", region});
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

std::vector<std::string> AwsStandin::binary_environment(const std::vector<std::string>& more) {
  std::vector<std::string> env{std::string("AWS_ACCESS_KEY_ID=") + kAccessKeyId,
                               std::string("AWS_SECRET_ACCESS_KEY=") + kSecretAccessKey,
                               "AWS_EC2_METADATA_DISABLED=true"};
  env.insert(env.end(), more.begin(), more.end());
  return env;
}

aws::AwsCredentials AwsStandin::credentials() {
  return {kAccessKeyId, Secret(kSecretAccessKey), Secret(), std::nullopt, "stand-in"};
}

http::Response AwsStandin::s3(const std::string& method, const std::string& path,
                              const std::string& body) {
  std::string url = endpoint_ + path;
  aws::SignableRequest signable{
      method, path, "", {{"Host", aws::host_header(endpoint_)}}, sha256_hex(body)};
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
  s3("PUT", "/" + bucket + "/" + uri_encode(key, true), body);
}

void AwsStandin::delete_object(const std::string& bucket, const std::string& key) {
  s3("DELETE", "/" + bucket + "/" + uri_encode(key, true), "");
}

http::Response AwsStandin::sqs(const std::string& operation, const std::string& json_body) {
  std::string url = endpoint_ + "/";
  aws::SignableRequest signable{"POST",
                                "/",
                                "",
                                {{"Host", aws::host_header(endpoint_)},
                                 {"Content-Type", "application/x-amz-json-1.0"},
                                 {"X-Amz-Target", "AmazonSQS." + operation}},
                                sha256_hex(json_body)};
  aws::sign_headers(
      signable, credentials(), {region_, "sqs", false},
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
  http::Request request{"POST", url, signable.headers, json_body, std::chrono::milliseconds(0)};
  http::Response response = http_->send(request);
  if (response.status >= 300)
    throw std::runtime_error("SQS " + operation + ": HTTP " + std::to_string(response.status) +
                             " " + response.body.substr(0, 300));
  return response;
}

namespace {

std::string sqs_request(const std::string& queue_url,
                        const std::function<void(JsonWriter&)>& more = nullptr) {
  std::string out;
  StringSink sink(out);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "QueueUrl");
  write_string(w, queue_url);
  if (more) more(w);
  w.EndObject();
  return out;
}

}  // namespace

std::string AwsStandin::create_queue(const std::string& name,
                                     const std::map<std::string, std::string>& attributes) {
  std::string body;
  StringSink sink(body);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "QueueName");
  write_string(w, name);
  if (!attributes.empty()) {
    write_key(w, "Attributes");
    w.StartObject();
    for (const auto& [key, value] : attributes) {
      write_key(w, key);
      write_string(w, value);
    }
    w.EndObject();
  }
  w.EndObject();
  http::Response response = sqs("CreateQueue", body);
  simdjson::dom::parser parser;
  std::string_view queue_url;
  if (parser.parse(response.body)["QueueUrl"].get(queue_url))
    throw std::runtime_error("SQS CreateQueue answered without a QueueUrl: " + response.body);
  return std::string(queue_url);
}

void AwsStandin::send_message(const std::string& queue_url, const std::string& body) {
  sqs("SendMessage", sqs_request(queue_url, [&](JsonWriter& w) {
        write_key(w, "MessageBody");
        write_string(w, body);
      }));
}

std::map<std::string, std::string> AwsStandin::queue_attributes(const std::string& queue_url) {
  http::Response response = sqs("GetQueueAttributes", sqs_request(queue_url, [](JsonWriter& w) {
                                  write_key(w, "AttributeNames");
                                  w.StartArray();
                                  write_string(w, "All");
                                  w.EndArray();
                                }));
  simdjson::dom::parser parser;
  simdjson::dom::object members;
  std::map<std::string, std::string> attributes;
  if (parser.parse(response.body)["Attributes"].get(members)) return attributes;
  for (auto [key, value] : members) {
    std::string_view text;
    if (!value.get(text)) attributes.emplace(std::string(key), std::string(text));
  }
  return attributes;
}

void AwsStandin::purge_queue(const std::string& queue_url) {
  sqs("PurgeQueue", sqs_request(queue_url));
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

void AwsStandin::set_last_modified(const std::string& bucket, const std::string& key,
                                   const std::string& when) {
  admin("POST", "s3/last-modified",
        R"({"bucket":")" + bucket + R"(","key":")" + key + R"(","last_modified":")" + when + "\"}");
}

void AwsStandin::clear_faults() {
  http_->send({"DELETE", endpoint_ + "/_standin/faults", {}, "", std::chrono::milliseconds(0)});
}

http::Response AwsStandin::admin(const std::string& method, const std::string& route,
                                 const std::string& json_body) {
  http::Response r = http_->send({method,
                                  endpoint_ + "/_standin/" + route,
                                  {{"Content-Type", "application/json"}},
                                  json_body,
                                  std::chrono::milliseconds(0)});
  if (r.status >= 300)
    throw std::runtime_error(method + " /_standin/" + route + ": HTTP " + std::to_string(r.status) +
                             " " + r.body.substr(0, 300));
  return r;
}

std::string AwsStandin::create_detector(const std::string& region) {
  std::string body = region.empty() ? "{}" : R"({"region":")" + region + R"("})";
  http::Response r = admin("POST", "guardduty/detectors", body);
  simdjson::dom::parser parser;
  std::string_view id;
  if (parser.parse(r.body)["detectorId"].get(id))
    throw std::runtime_error("creating a detector answered without a detectorId: " + r.body);
  return std::string(id);
}

void AwsStandin::delete_detector(const std::string& detector_id) {
  admin("DELETE", "guardduty/detectors/" + detector_id, "");
}

void AwsStandin::put_findings(const std::string& detector_id, const std::string& json_array) {
  admin("POST", "guardduty/detectors/" + detector_id + "/findings", json_array);
}

void AwsStandin::purge() {
  admin("POST", "purge", "");
}

}  // namespace gd2s::test
