#pragma once
// `check` for [source.sqs]: every SQS action the source uses, tried without changing the queue.

#include "aws/sqs_client.h"
#include "core/probe.h"
#include "sources/sqs/config.h"

namespace gd2s {

void probe_sqs_source(aws::SqsClient& sqs, const SqsConfig& config, ProbeReport& report);

}  // namespace gd2s
