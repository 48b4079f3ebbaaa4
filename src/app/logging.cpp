#include "app/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "core/time.h"
#include "transform/json_writer.h"

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
    write_string(w, std::string_view(msg.payload.data(), msg.payload.size()));
    w.EndObject();
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

void setup_logging(const std::string& level, const std::string& format) {
  std::shared_ptr<spdlog::logger> logger;
  if (format == "json") {
    logger = std::make_shared<spdlog::logger>("gd2sentinel", std::make_shared<JsonLineSink>());
  } else {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
        isatty(STDERR_FILENO) ? spdlog::color_mode::automatic : spdlog::color_mode::never);
    logger = std::make_shared<spdlog::logger>("gd2sentinel", sink);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace gd2s
