#include "app/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "core/json_writer.h"
#include "core/redaction.h"
#include "core/time.h"

namespace gd2s {
namespace {

class JsonLineSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string line;
    StringSink out(line);
    JsonWriter w(out);
    w.StartObject();
    write_key(w, "time");
    write_string(w,
                 format_iso8601(std::chrono::time_point_cast<std::chrono::microseconds>(msg.time)));
    write_key(w, "level");
    auto level = spdlog::level::to_string_view(msg.level);
    write_string(w, std::string_view(level.data(), level.size()));
    write_key(w, "message");
    write_string(w, redact(std::string_view(msg.payload.data(), msg.payload.size())));
    w.EndObject();
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

// Hands each line to `inner` with its secrets taken out (core/redaction.h).
class RedactingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit RedactingSink(spdlog::sink_ptr inner) : inner_(std::move(inner)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string text = redact(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg clean = msg;
    clean.payload = spdlog::string_view_t(text.data(), text.size());
    inner_->log(clean);
  }
  void flush_() override { inner_->flush(); }
  void set_pattern_(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

 private:
  spdlog::sink_ptr inner_;
};

}  // namespace

void setup_logging(const std::string& level, const std::string& format) {
  std::shared_ptr<spdlog::logger> logger;
  if (format == "json") {
    logger = std::make_shared<spdlog::logger>("gd2sentinel", std::make_shared<JsonLineSink>());
  } else {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
        isatty(STDERR_FILENO) ? spdlog::color_mode::automatic : spdlog::color_mode::never);
    logger = std::make_shared<spdlog::logger>("gd2sentinel", std::make_shared<RedactingSink>(sink));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void print_error(std::string_view message) {
  std::string line = redact(message);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace gd2s
