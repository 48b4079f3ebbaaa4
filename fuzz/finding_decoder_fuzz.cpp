// What an S3 object's bytes go through: gzip recognised by its magic and inflated, the text
// split into records (JSON Lines, arrays, GetFindings wrappers), each record decoded into a
// Finding. Anything may come in; the only way out besides records and problems is StreamError.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include "core/byte_stream.h"
#include "decode/finding_decoder.h"
#include "decode/gunzip.h"
#include "decode/record_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gd2s::MemoryByteStream bytes(std::string(reinterpret_cast<const char*>(data), size));
  gd2s::MaybeGunzipStream stream(bytes);
  gd2s::RecordReader reader(stream);
  gd2s::FindingDecoder decoder;
  try {
    while (auto item = reader.next()) {
      const auto* record = std::get_if<gd2s::RawRecord>(&*item);
      if (record == nullptr) continue;  // a ReadProblem: dead-lettered with its reason
      auto result = decoder.decode(record->text);
      if (const auto* finding = std::get_if<gd2s::Finding>(&result)) {
        // A decoded finding always has what the pipeline keys it by.
        if (finding->id.empty() || finding->account_id.empty() || finding->type.empty())
          std::abort();
      } else if (std::get<gd2s::DecodeFailure>(result).reason.empty()) {
        std::abort();  // a dead letter must say why
      }
    }
  } catch (const gd2s::StreamError&) {
    // Corrupt or truncated gzip, or a read failure: the object's remaining bytes are a dead
    // letter with this reason.
  }
  return 0;
}
