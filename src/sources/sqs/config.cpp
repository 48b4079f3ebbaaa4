#include "sources/sqs/config.h"

namespace gd2s {
namespace {

constexpr OptionDoc kOptions[] = {
    {"queue_url", "URL", "(required)"},
    {"region", "string", "from `queue_url`"},
    {"receivers", "whole number, 1–64", "`2`"},
    {"max_receive_count", "whole number, 1–1000", "`5`"},
    {"wait_time", R"(duration, at most `"20s"`)", R"(`"20s"`)"},
    {"visibility_timeout", "duration", R"(`"0s"` (the queue's own))"},
};

// "https://sqs.eu-west-1.amazonaws.com/123456789012/q" → "eu-west-1"; empty when not AWS's.
std::string region_of_queue_url(const std::string& url) {
  constexpr std::string_view kPrefix = "https://sqs.";
  if (!url.starts_with(kPrefix)) return "";
  size_t end = url.find('.', kPrefix.size());
  if (end == std::string::npos || url.compare(end, 11, ".amazonaws.") != 0) return "";
  return url.substr(kPrefix.size(), end - kPrefix.size());
}

}  // namespace

std::span<const OptionDoc> sqs_source_options() {
  return kOptions;
}

void read_sqs_source_config(TableReader& r, SqsConfig& sqs) {
  r.read("queue_url", sqs.queue_url);
  r.read("region", sqs.region);
  r.read("receivers", sqs.receivers);
  r.read("max_receive_count", sqs.max_receive_count);
  r.read("wait_time", sqs.wait_time);
  r.read("visibility_timeout", sqs.visibility_timeout);
  if (sqs.queue_url.empty())
    r.issue("queue_url",
            "is required, e.g. \"https://sqs.eu-west-1.amazonaws.com/123456789012/guardduty\"");
  else if (!sqs.queue_url.starts_with("https://") && !sqs.queue_url.starts_with("http://"))
    r.issue("queue_url",
            "must be the queue's URL (https://sqs.<region>.amazonaws.com/<account>/<name>)");
  if (sqs.region.empty()) sqs.region = region_of_queue_url(sqs.queue_url);
  if (sqs.region.empty() && !sqs.queue_url.empty())
    r.issue("region", "is required when the queue URL does not name one");
  if (sqs.receivers < 1 || sqs.receivers > 64) r.issue("receivers", "must be between 1 and 64");
  if (sqs.max_receive_count < 1 || sqs.max_receive_count > 1000)
    r.issue("max_receive_count", "must be between 1 and 1000");
  if (sqs.wait_time > std::chrono::seconds(20))
    r.issue("wait_time", "must be at most 20s (SQS long polling's limit)");
  if (sqs.visibility_timeout.count() != 0 && (sqs.visibility_timeout < std::chrono::seconds(2) ||
                                              sqs.visibility_timeout > std::chrono::hours(12)))
    r.issue("visibility_timeout", "must be between 2s and 12h (or 0s for the queue's own)");
}

}  // namespace gd2s
