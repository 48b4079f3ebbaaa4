#pragma once
// The source and sink a config describes, built for `run` and the other commands that need
// them (check, dead-letters replay) from the rows of the registry (app/registry.h). One HTTP
// client serves both.

#include <memory>
#include <string>
#include <vector>

#include "app/config.h"
#include "aws/credentials.h"
#include "aws/guardduty_client.h"
#include "aws/s3_client.h"
#include "aws/sqs_client.h"
#include "azure/log_analytics_table.h"
#include "http/http_client.h"
#include "sinks/sink.h"
#include "sources/source.h"
#include "state/state_store.h"
#include "transform/schema.h"

namespace gd2s {

/// The configured source with the clients it uses (they must outlive it).
struct SourceParts {
  http::HttpClientPtr http;
  aws::CredentialProviderPtr credentials;  // the AWS chain (none for files)
  std::unique_ptr<aws::S3Client> s3;
  std::unique_ptr<aws::SqsClient> sqs;
  std::vector<std::unique_ptr<aws::GuardDutyClient>> guardduty;  // one per Region
  std::unique_ptr<Source> source;
  std::string description;  // for the start-up line
};

/// The configured sink, and how to describe it in the start-up line.
struct SinkParts {
  std::unique_ptr<Sink> sink;
  std::string description;
};

/// `once`: one pass (s3_listing, guardduty_api) or until the queue is drained (sqs).
[[nodiscard]] SourceParts make_source(const Config& config, StateStore& state, bool once,
                                      http::HttpClientPtr http);

[[nodiscard]] SinkParts make_sink(const Config& config, http::HttpClientPtr http);

/// The schema's columns as a Log Analytics table declares them.
[[nodiscard]] std::vector<azure::TableColumn> table_columns(const Schema& schema);

}  // namespace gd2s
