#include "sinks/file/config.h"

namespace gd2s {
namespace {

constexpr OptionDoc kOptions[] = {
    {"path", "string", R"(`"-"`)"},
};

}  // namespace

std::span<const OptionDoc> file_sink_options() {
  return kOptions;
}

void read_file_sink_config(TableReader& r, FileSinkConfig& sink) {
  r.read("path", sink.path);
  if (sink.path.empty()) r.issue("path", "must not be empty");
}

}  // namespace gd2s
