#pragma once
// The local S3/SQS/GuardDuty stand-in for tests: fauxqs on 127.0.0.1 behind the SigV4-checking
// proxy (tools/aws-standin), started as a child process for as long as this object lives.

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "http/http_client.h"

namespace gd2s::test {

class AwsStandin {
 public:
  AwsStandin();  // throws when the stand-in cannot start (node or npm packages missing)
  /// Also accepts signatures scoped to `more_regions` (where GuardDuty detectors can live).
  explicit AwsStandin(const std::vector<std::string>& more_regions);
  ~AwsStandin();
  AwsStandin(const AwsStandin&) = delete;
  AwsStandin& operator=(const AwsStandin&) = delete;

  /// The proxy's URL: what gd2sentinel talks to.
  const std::string& endpoint() const { return endpoint_; }
  const std::string& region() const { return region_; }
  /// The stand-in's test-only credentials (the proxy checks signatures against them).
  static aws::AwsCredentials credentials();
  static constexpr const char* kAccessKeyId = "AKIDSTANDIN0000000000";
  static constexpr const char* kSecretAccessKey = "standin/secret/key/for/local/tests/only00";
  /// The environment for a gd2sentinel run against the stand-in ("NAME=value"): its credentials,
  /// no instance metadata, and `more` ("NAME=value") after them.
  static std::vector<std::string> binary_environment(const std::vector<std::string>& more = {});

  /// Signed S3 calls for setting up buckets and objects.
  void create_bucket(const std::string& bucket);
  void put_object(const std::string& bucket, const std::string& key, const std::string& body);
  void delete_object(const std::string& bucket, const std::string& key);
  /// Admin API: sets the object's LastModified (ISO 8601), as listings and GET report it.
  void set_last_modified(const std::string& bucket, const std::string& key,
                         const std::string& when);
  /// Signed SQS calls (service "sqs", AWS JSON 1.0) for setting up queues and messages.
  /// create_queue returns the queue URL, which points at the proxy.
  std::string create_queue(const std::string& name,
                           const std::map<std::string, std::string>& attributes = {});
  void send_message(const std::string& queue_url, const std::string& body);
  /// All attributes (ApproximateNumberOfMessages, ApproximateNumberOfMessagesNotVisible, ...).
  std::map<std::string, std::string> queue_attributes(const std::string& queue_url);
  /// Drops every message of the queue, in flight or not.
  void purge_queue(const std::string& queue_url);
  /// Admin API: add a fault rule (JSON as tools/aws-standin/README.md describes), clear them.
  void add_fault(const std::string& rule_json);
  void clear_faults();
  /// Admin API, GuardDuty: a detector in `region` (empty: region()); returns its id.
  std::string create_detector(const std::string& region = "");
  void delete_detector(const std::string& detector_id);
  /// Adds or replaces findings (a JSON array of finding objects, each with id and updatedAt).
  void put_findings(const std::string& detector_id, const std::string& json_array);
  /// Admin API: drop every queue, bucket, detector and finding.
  void purge();

 private:
  http::Response s3(const std::string& method, const std::string& path, const std::string& body);
  http::Response sqs(const std::string& operation, const std::string& json_body);
  http::Response admin(const std::string& method, const std::string& route,
                       const std::string& json_body);

  pid_t pid_ = -1;
  std::string endpoint_;
  std::string region_ = "us-east-1";
  http::HttpClientPtr http_;
};

}  // namespace gd2s::test
