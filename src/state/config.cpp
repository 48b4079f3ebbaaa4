#include "state/config.h"

namespace gd2s {
namespace {

constexpr OptionDoc kOptions[] = {
    {"path", "string", R"(`"gd2sentinel.db"`)"},
};

}  // namespace

std::span<const OptionDoc> state_options() {
  return kOptions;
}

void read_state_config(TableReader& r, StateConfig& state) {
  r.read("path", state.path);
  if (state.path.empty()) r.issue("path", "must not be empty");
}

}  // namespace gd2s
