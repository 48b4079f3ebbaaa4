// The configuration loader: any text is either a Config or a ConfigError that lists the
// problems by line. Any other exception escapes and the fuzzer reports it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "app/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    gd2s::Config config = gd2s::parse_config(text, "fuzz.toml");
    (void)config;
  } catch (const gd2s::ConfigError& error) {
    if (error.issues().empty()) std::abort();  // an error names at least one problem
  }
  return 0;
}
