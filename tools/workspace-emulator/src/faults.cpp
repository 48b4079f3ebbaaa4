#include "faults.h"

#include <algorithm>

#include "json_util.h"
#include "time_util.h"

namespace wsemu {

std::optional<Endpoint> parse_endpoint(std::string_view name) {
  if (name == "token") return Endpoint::Token;
  if (name == "imds") return Endpoint::Imds;
  if (name == "logs_ingestion") return Endpoint::LogsIngestion;
  if (name == "data_collector") return Endpoint::DataCollector;
  if (name == "arm") return Endpoint::Arm;
  return std::nullopt;
}

std::string_view to_string(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::Token: return "token";
    case Endpoint::Imds: return "imds";
    case Endpoint::LogsIngestion: return "logs_ingestion";
    case Endpoint::DataCollector: return "data_collector";
    case Endpoint::Arm:
      return "arm";
  }
  return "token";
}

namespace {

bool parse_rule(const rapidjson::Value& v, FaultRule& rule, std::string& error) {
  if (!v.IsObject()) {
    error = "a fault rule must be a JSON object";
    return false;
  }
  static constexpr std::array<const char*, 12> kKnown = {
      "endpoint", "kind", "status", "retry_after", "retry_after_format", "schedule",
      "every",    "rate", "after",  "times",       "delay_ms",           "comment"};
  for (const auto& member : v.GetObject()) {
    const std::string name = member.name.GetString();
    if (std::find_if(kKnown.begin(), kKnown.end(), [&](const char* k) { return name == k; }) ==
        kKnown.end()) {
      error = "unknown fault rule field '" + name + "'";
      return false;
    }
  }
  if (auto endpoint = string_member(v, "endpoint"); endpoint && *endpoint != "*") {
    rule.endpoint = parse_endpoint(*endpoint);
    if (!rule.endpoint) {
      error = "unknown endpoint '" + *endpoint +
              "' (token, imds, logs_ingestion, data_collector, arm or *)";
      return false;
    }
  }
  const auto kind = string_member(v, "kind").value_or("status");
  if (kind == "status") {
    rule.kind = FaultKind::Status;
  } else if (kind == "reset") {
    rule.kind = FaultKind::Reset;
  } else if (kind == "slow") {
    rule.kind = FaultKind::Slow;
  } else {
    error = "unknown fault kind '" + kind + "' (status, reset or slow)";
    return false;
  }
  if (auto status = int_member(v, "status")) {
    if (*status < 400 || *status > 599) {
      error = "a fault status must be between 400 and 599";
      return false;
    }
    rule.status = static_cast<int>(*status);
  } else if (rule.kind == FaultKind::Status) {
    error = "a status fault needs \"status\"";
    return false;
  }
  rule.retry_after_seconds = int_member(v, "retry_after");
  if (auto format = string_member(v, "retry_after_format")) {
    if (*format != "seconds" && *format != "http-date") {
      error = R"(retry_after_format must be "seconds" or "http-date")";
      return false;
    }
    rule.retry_after_http_date = *format == "http-date";
  }
  if (auto it = v.FindMember("schedule"); it != v.MemberEnd()) {
    if (!it->value.IsArray()) {
      error = "schedule must be an array of request numbers";
      return false;
    }
    for (const auto& n : it->value.GetArray()) {
      if (!n.IsUint64() || n.GetUint64() == 0) {
        error = "schedule entries are request numbers from 1";
        return false;
      }
      rule.schedule.push_back(n.GetUint64());
    }
  }
  rule.every = static_cast<std::uint64_t>(std::max<std::int64_t>(0, int_member(v, "every").value_or(0)));
  rule.rate = number_member(v, "rate").value_or(-1);
  if (rule.rate > 1) {
    error = "rate is a probability between 0 and 1";
    return false;
  }
  rule.after = static_cast<std::uint64_t>(std::max<std::int64_t>(0, int_member(v, "after").value_or(0)));
  rule.times = static_cast<std::uint64_t>(std::max<std::int64_t>(0, int_member(v, "times").value_or(0)));
  rule.delay_ms = static_cast<int>(int_member(v, "delay_ms").value_or(rule.kind == FaultKind::Slow ? 1000 : 0));
  return true;
}

}  // namespace

std::vector<FaultRule> parse_fault_rules(const rapidjson::Value& rules, std::string* error) {
  std::vector<FaultRule> out;
  std::string why;
  if (!rules.IsArray()) {
    why = "faults must be a JSON array of rules";
  } else {
    for (const auto& v : rules.GetArray()) {
      FaultRule rule;
      if (!parse_rule(v, rule, why)) break;
      out.push_back(std::move(rule));
    }
  }
  if (!why.empty()) {
    if (error != nullptr) *error = why;
    return {};
  }
  return out;
}

FaultInjector::FaultInjector(std::uint64_t seed) : random_(seed) {}

void FaultInjector::replace(std::vector<FaultRule> rules) {
  MutexLock lock(mutex_);
  rules_ = std::move(rules);
  counts_.fill(0);
}

void FaultInjector::append(std::vector<FaultRule> rules) {
  MutexLock lock(mutex_);
  for (auto& rule : rules) rules_.push_back(std::move(rule));
}

void FaultInjector::clear() { replace({}); }

FaultDecision FaultInjector::decide(Endpoint endpoint, std::int64_t now_epoch_seconds) {
  MutexLock lock(mutex_);
  const std::uint64_t n = ++counts_[static_cast<std::size_t>(endpoint)];
  FaultDecision decision;
  for (auto& rule : rules_) {
    if (rule.endpoint && *rule.endpoint != endpoint) continue;
    if (n <= rule.after) continue;
    if (rule.times > 0 && rule.injected >= rule.times) continue;
    bool hit = true;
    if (!rule.schedule.empty()) {
      hit = std::find(rule.schedule.begin(), rule.schedule.end(), n) != rule.schedule.end();
    } else if (rule.every > 0) {
      hit = (n - rule.after) % rule.every == 0;
    } else if (rule.rate >= 0) {
      hit = std::uniform_real_distribution<double>(0.0, 1.0)(random_) < rule.rate;
    }
    if (!hit) continue;
    ++rule.injected;
    if (rule.kind == FaultKind::Slow) {
      decision.delay_ms += rule.delay_ms;
      decision.label += (decision.label.empty() ? "" : ",") + std::string("slow ") +
                        std::to_string(rule.delay_ms) + "ms";
      continue;
    }
    decision.kind = rule.kind;
    decision.status = rule.status;
    decision.delay_ms += rule.kind == FaultKind::Status ? rule.delay_ms : 0;
    if (rule.retry_after_seconds) {
      decision.retry_after = rule.retry_after_http_date
                                 ? format_http_date(now_epoch_seconds + *rule.retry_after_seconds)
                                 : std::to_string(*rule.retry_after_seconds);
    }
    decision.label += (decision.label.empty() ? "" : ",") +
                      (rule.kind == FaultKind::Reset ? std::string("reset") : std::to_string(rule.status));
    break;
  }
  return decision;
}

std::string FaultInjector::to_json() {
  MutexLock lock(mutex_);
  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.StartObject();
  write_string(w, "requests");
  w.StartObject();
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    write_string(w, to_string(static_cast<Endpoint>(i)));
    w.Uint64(counts_[i]);
  }
  w.EndObject();
  write_string(w, "faults");
  w.StartArray();
  for (const auto& rule : rules_) {
    w.StartObject();
    write_member(w, "endpoint", rule.endpoint ? to_string(*rule.endpoint) : "*");
    write_member(w, "kind", rule.kind == FaultKind::Status  ? "status"
                            : rule.kind == FaultKind::Reset ? "reset"
                                                            : "slow");
    if (rule.kind == FaultKind::Status) {
      write_string(w, "status");
      w.Int(rule.status);
    }
    if (rule.delay_ms > 0) {
      write_string(w, "delay_ms");
      w.Int(rule.delay_ms);
    }
    write_string(w, "injected");
    w.Uint64(rule.injected);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace wsemu
