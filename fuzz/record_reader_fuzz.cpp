// The streaming reader against simdjson: whenever the input is one JSON array, the reader yields
// exactly its elements, in order, whatever the chunks the bytes arrive in. The first byte picks
// the chunk size (1 to 256 bytes), so elements, strings and escapes are cut at every place.
#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <variant>

#include "core/byte_stream.h"
#include "decode/record_reader.h"

namespace {

class ChunkedStream final : public gd2s::ByteStream {
 public:
  ChunkedStream(std::string_view bytes, size_t chunk) : bytes_(bytes), chunk_(chunk) {}
  size_t read(std::span<char> out) override {
    size_t n = std::min({out.size(), chunk_, bytes_.size() - pos_});
    std::copy_n(bytes_.data() + pos_, n, out.data());
    pos_ += n;
    return n;
  }

 private:
  std::string_view bytes_;
  size_t chunk_;
  size_t pos_ = 0;
};

// A value as simdjson writes it back: the same for two texts of one JSON value.
std::string normalised(simdjson::dom::element value) {
  return simdjson::minify(value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  size_t chunk = 1 + data[0];
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  ChunkedStream stream(text, chunk);
  gd2s::RecordReader reader(stream);
  std::vector<gd2s::ReadItem> items;
  try {
    while (auto item = reader.next()) {
      if (const auto* problem = std::get_if<gd2s::ReadProblem>(&*item);
          problem != nullptr && problem->reason.empty())
        std::abort();  // a dead letter must say why
      items.push_back(std::move(*item));
    }
  } catch (const gd2s::StreamError&) {
    std::abort();  // a memory stream never fails
  }

  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::array array;
  if (parser.parse(padded).get_array().get(array) != simdjson::SUCCESS) return 0;
  // One JSON array, no element over the record limit: each element is one record, in order.
  size_t index = 0;
  for (simdjson::dom::element element : array) {
    std::string want = normalised(element);
    if (index >= items.size()) std::abort();  // an element went missing
    const auto* record = std::get_if<gd2s::RawRecord>(&items[index]);
    if (record == nullptr || record->line != index + 1) std::abort();
    simdjson::dom::parser again;
    simdjson::dom::element got;
    if (again.parse(record->text).get(got) != simdjson::SUCCESS || normalised(got) != want)
      std::abort();  // not the element
    ++index;
  }
  if (index != items.size()) std::abort();  // a record that is no element
  return 0;
}
