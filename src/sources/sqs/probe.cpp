#include "sources/sqs/probe.h"

#include <optional>

#include "aws/operations.h"

namespace gd2s {
namespace {

// Receipt handles are opaque to the client; this one cannot be a real one.
constexpr const char* kNoSuchReceipt = "gd2sentinel-check-not-a-receipt-handle";

}  // namespace

void probe_sqs_source(aws::SqsClient& sqs, const SqsConfig& source, ProbeReport& report) {
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

}  // namespace gd2s
