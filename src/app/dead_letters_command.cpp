// `gd2sentinel dead-letters list|replay`: the dead-letter file read back with each line's replay
// mark from the state store, and the lines not yet replayed sent again through the configured
// sink. The file is only ever read (a running gd2sentinel may be appending to it); the marks
// live in the state store, keyed by each line's SHA-256 and its ordinal among identical lines.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "app/commands.h"
#include "app/components.h"
#include "app/config.h"
#include "app/logging.h"
#include "core/json_writer.h"
#include "http/curl_client.h"
#include "pipeline/dead_letter_replay.h"
#include "sinks/dead_letter_reader.h"
#include "state/sqlite_store.h"

namespace gd2s {
namespace {

// Letters replayed together: bounds the memory their originals take.
constexpr size_t kChunkLetters = 2000;
constexpr size_t kChunkBytes = 32 * 1024 * 1024;

bool reason_matches(std::string_view reason, std::string_view wanted) {
  if (wanted.empty()) return true;
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  auto found = std::search(reason.begin(), reason.end(), wanted.begin(), wanted.end(),
                           [&](char a, char b) { return lower(a) == lower(b); });
  return found != reason.end();
}

// One line of at most `max` characters (not cutting a UTF-8 sequence), "…" when cut.
std::string shorten(std::string_view text, size_t max) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (out.size() <= max) return out;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  out.resize(cut);
  return out + "…";
}

std::string status_text(const DeadLetterEntry& entry, const std::optional<DeadLetterMark>& mark) {
  if (!mark) return "new";
  if (mark->replayed_at) return "replayed at " + format_iso8601(*mark->replayed_at);
  if (mark->last_failure == entry.letter.reason) return "last replay failed the same way";
  return "last replay failed: " + shorten(mark->last_failure, 100);
}

std::optional<Config> load(const DeadLettersOptions& options) {
  try {
    Config config = load_config(options.config_path);
    setup_logging(config.log.level, config.log.format);
    return config;
  } catch (const ConfigError& error) {
    print_error(error.what());
    return std::nullopt;
  }
}

// Lines that are not dead letters, and a last line still being written, go to stderr.
void report_scan(const std::string& path, const DeadLetterScan& scan) {
  for (const DeadLetterFileProblem& bad : scan.bad_lines)
    spdlog::warn("{} line {} is not a dead letter ({}); skipped", path, bad.number, bad.reason);
  if (scan.partial_last_line)
    spdlog::info("{}: the last line has no newline yet (being written?); skipped", path);
}

std::string entry_json(const DeadLetterEntry& entry, const std::optional<DeadLetterMark>& mark) {
  std::string out;
  StringSink sink(out);
  JsonWriter w(sink);
  const DeadLetter& letter = entry.letter;
  w.StartObject();
  write_key(w, "number");
  w.Uint64(entry.number);
  write_key(w, "time");
  write_string(w, format_iso8601(letter.at));
  write_key(w, "stage");
  write_string(w, stage_name(letter.stage));
  write_key(w, "source");
  write_string(w, letter.source);
  write_key(w, "unit");
  write_string(w, letter.unit);
  write_key(w, "line");
  w.Uint64(letter.line);
  write_key(w, "reason");
  write_string(w, letter.reason);
  write_key(w, "status");
  write_string(w, !mark ? "new" : mark->replayed_at ? "replayed" : "failed");
  if (mark) {
    write_key(w, "attempts");
    w.Uint64(mark->attempts);
    write_key(w, mark->replayed_at ? "replayed_at" : "last_attempt_at");
    write_string(w, format_iso8601(mark->replayed_at.value_or(mark->attempted_at)));
    if (!mark->replayed_at) {
      write_key(w, "last_failure");
      write_string(w, mark->last_failure);
    }
  }
  w.EndObject();
  return out;
}

std::string entry_line(const DeadLetterEntry& entry, const std::string& status) {
  const DeadLetter& letter = entry.letter;
  return fmt::format("{:>6}  {}  {:<9}  {} {} line {}  [{}]  {}", entry.number,
                     format_iso8601(letter.at), stage_name(letter.stage), letter.source,
                     letter.unit, letter.line, status, shorten(letter.reason, 120));
}

}  // namespace

int dead_letters_list_command(const DeadLettersOptions& options) {
  std::optional<Config> config = load(options);
  if (!config) return kExitUsage;
  const std::string& path = config->dead_letter.path;
  try {
    // Read only: beside a running service, whose lock it does not need.
    SqliteStateStore state(config->state.path, StateAccess::kInspect);
    bool json = options.format == "json";
    uint64_t shown = 0, fresh = 0, replayed = 0, failing = 0;
    std::map<std::pair<std::string, std::string>, uint64_t> by_reason;
    DeadLetterScan scan = read_dead_letters(path, [&](DeadLetterEntry& entry) {
      if (!reason_matches(entry.letter.reason, options.reason)) return;
      auto mark = state.dead_letter_mark(entry.line_sha256, entry.ordinal);
      ++shown;
      ++(!mark ? fresh : mark->replayed_at ? replayed : failing);
      ++by_reason[{std::string(stage_name(entry.letter.stage)), shorten(entry.letter.reason, 100)}];
      fmt::print("{}\n",
                 json ? entry_json(entry, mark) : entry_line(entry, status_text(entry, mark)));
    });
    report_scan(path, scan);
    if (json) return kExitOk;
    if (!scan.exists) {
      fmt::print("no dead letters: {} does not exist\n", path);
      return kExitOk;
    }
    std::string which = options.reason.empty() ? ""
                                               : fmt::format(" of {} (reason contains \"{}\")",
                                                             scan.entries, options.reason);
    fmt::print("\n{} dead letters{} in {}: {} new, {} replayed, {} failed at the last replay\n",
               shown, which, path, fresh, replayed, failing);
    if (!by_reason.empty()) fmt::print("by stage and reason:\n");
    std::vector<std::pair<std::pair<std::string, std::string>, uint64_t>> groups(by_reason.begin(),
                                                                                 by_reason.end());
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [key, count] : groups)
      fmt::print("{:>8}  {:<9}  {}\n", count, key.first, key.second);
    return kExitOk;
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
    return kExitFailure;
  }
}

int dead_letters_replay_command(const DeadLettersOptions& options) {
  std::optional<Config> config = load(options);
  if (!config) return kExitUsage;
  const std::string& path = config->dead_letter.path;
  // The report goes where the rows do not: stderr when the sink writes to stdout.
  std::FILE* report = config->file_sink && config->file_sink->path == "-" ? stderr : stdout;
  try {
    // Beside a running service (its dead letters are none of the service's units), not beside
    // another replay (both would send the same lines).
    SqliteStateStore state(config->state.path, StateAccess::kReplay);
    SchemaPtr schema = make_schema(config->transform.schema);
    FindingFilter filter(config->transform.filter);
    Dedupe dedupe(state, config->transform.dedupe_window);
    // Declared before the sink so that it outlives it: a request still in flight when the sink
    // stopped for good reports to the replayer's receivers.
    std::optional<DeadLetterReplayer> replayer_slot;
    SinkParts sink_parts = make_sink(*config, http::make_curl_client(http_options(config->http)));
    DeadLetterReplayer& replayer =
        replayer_slot.emplace(*sink_parts.sink, *schema, filter, dedupe, PipelineOptions{});
    spdlog::info("dead-letters replay: {}, schema {}, sink {}", path, schema->name(),
                 sink_parts.description);

    uint64_t replayed = 0, failing = 0, skipped = 0, rows_sent = 0;
    std::vector<DeadLetterEntry> chunk;
    size_t chunk_bytes = 0;
    auto replay_chunk = [&] {
      if (chunk.empty()) return;
      std::vector<ReplayResult> results = replayer.replay(chunk);
      Timestamp now = now_utc();
      for (size_t i = 0; i < chunk.size(); ++i) {
        const ReplayResult& result = results[i];
        state.record_replay(chunk[i].line_sha256, chunk[i].ordinal, now, result.failure);
        if (result.replayed) {
          ++replayed;
          rows_sent += result.rows_sent;
          fmt::print(report, "dead letter {}: replayed ({})\n", chunk[i].number,
                     result.rows_sent > 0 ? "sent" : "dropped by the filter or already delivered");
        } else {
          ++failing;
          fmt::print(report, "dead letter {}: still failing: {}\n", chunk[i].number,
                     shorten(result.failure, 200));
        }
      }
      chunk.clear();
      chunk_bytes = 0;
    };
    DeadLetterScan scan = read_dead_letters(path, [&](DeadLetterEntry& entry) {
      if (!reason_matches(entry.letter.reason, options.reason)) return;
      auto mark = state.dead_letter_mark(entry.line_sha256, entry.ordinal);
      if (mark && mark->replayed_at) {
        ++skipped;
        return;
      }
      chunk_bytes += entry.letter.original.size();
      chunk.push_back(std::move(entry));
      if (chunk.size() >= kChunkLetters || chunk_bytes >= kChunkBytes) replay_chunk();
    });
    replay_chunk();
    dedupe.flush();  // versions accepted for letters that did not replay whole
    report_scan(path, scan);
    fmt::print(report,
               "replay of {}: {} replayed ({} rows sent), {} still failing, {} skipped as already "
               "replayed\n",
               path, replayed, rows_sent, failing, skipped);
    return failing == 0 ? kExitOk : kExitFailure;
  } catch (const std::exception& error) {
    spdlog::error("{}", error.what());
    return kExitFailure;
  }
}

}  // namespace gd2s
