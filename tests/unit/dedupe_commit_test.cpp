// The dedupe window under the pipeline's threads: versions written before their unit commits,
// and each version let through once however the checks, deliveries and flushes interleave.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "pipeline/pipeline.h"
#include "state/sqlite_store.h"
#include "support/recording_sink.h"
#include "support/test_support.h"
#include "transform/dedupe.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;

const std::string kUpdated = "2026-03-01T00:00:00.000Z";

class MemoryDeadLetters final : public DeadLetterStore {
 public:
  void write(const DeadLetter&) override { ++written; }
  std::atomic<int> written{0};
};

// Hands out units of findings (by id); a unit may begin with a record the reader could not
// frame. Calls `on_commit` with the unit's number as it commits.
class FindingUnits final : public Source {
 public:
  struct Unit {
    bool read_problem_first = false;
    std::vector<std::string> ids;
  };
  FindingUnits(std::vector<Unit> units, std::function<void(size_t)> on_commit)
      : units_(std::move(units)), on_commit_(std::move(on_commit)) {}
  std::string_view name() const override { return "units"; }
  void run(RecordEmitter& out, std::stop_token) override {
    for (size_t u = 0; u < units_.size(); ++u) {
      auto unit = std::make_shared<UnitOfWork>("units", "unit-" + std::to_string(u), 0,
                                               [this, u](const UnitOfWork&, UnitOfWork::Ending) {
                                                 on_commit_(u);
                                                 ++committed_;
                                               });
      ++opened_;
      uint64_t line = 0;
      if (units_[u].read_problem_first) out.problem(unit, ReadProblem{++line, "too long", "{"});
      for (const std::string& id : units_[u].ids)
        out.record(unit, RawRecord{++line, test::finding_json(id, kUpdated)});
      unit->seal(UnitOfWork::Ending::kComplete);
    }
  }
  SourceTotals totals() const override { return {opened_.load(), committed_.load(), 0}; }

 private:
  std::vector<Unit> units_;
  std::function<void(size_t)> on_commit_;
  std::atomic<uint64_t> opened_{0};
  std::atomic<uint64_t> committed_{0};
};

std::vector<FindingVersion> versions_of(const std::vector<std::string>& ids) {
  std::vector<FindingVersion> out;
  for (const std::string& id : ids) out.push_back({id, kUpdated});
  return out;
}

TEST(DedupeInAPipeline, EveryVersionOfAUnitIsInTheStoreBeforeTheUnitCommits) {
  test::TempDir dir;
  const std::string path = dir.file("state.db");
  SqliteStateStore state(path);
  Dedupe dedupe(state, 168h);
  std::vector<FindingUnits::Unit> units{
      {false, {"a1", "a2", "a3"}},
      {true, {"b1", "b2"}},  // its first record is the reader's: the hook is still set
      {false, {"c1"}},
      {false, {"a1", "c2"}},  // a1 again: a duplicate, settled as filtered
  };
  std::mutex mutex;
  std::map<size_t, std::vector<bool>> stored_at_commit;
  FindingUnits source(units, [&](size_t u) {
    // What a restart would find at the moment the unit's checkpoint is saved.
    SqliteStateStore inspect(path, StateAccess::kInspect);
    std::vector<bool> stored = inspect.delivered_since(versions_of(units[u].ids), Timestamp{});
    std::lock_guard lock(mutex);
    stored_at_commit[u] = stored;
  });
  test::RecordingSink sink;
  MemoryDeadLetters dead_letters;
  FindingFilter filter{FilterOptions{}};
  SchemaPtr schema = make_schema("native");
  Pipeline pipeline(source, sink, dead_letters, *schema, filter, dedupe, {});
  pipeline.run();

  EXPECT_EQ(sink.rows().size(), 7u);
  EXPECT_EQ(pipeline.stats().duplicates.load(), 1u);
  std::lock_guard lock(mutex);
  ASSERT_EQ(stored_at_commit.size(), units.size());
  for (size_t u = 0; u < units.size(); ++u)
    EXPECT_EQ(stored_at_commit[u], std::vector<bool>(units[u].ids.size(), true))
        << "unit " << u << " committed before its versions were in the store";
  EXPECT_EQ(dedupe.staged(), 0u);

  // A restart (this Dedupe neither flushed by hand nor destroyed) knows every version.
  SqliteStateStore again(path, StateAccess::kInspect);
  Dedupe after_restart(again, 168h);
  for (const auto& unit : units)
    EXPECT_EQ(after_restart.find_duplicates(versions_of(unit.ids)),
              std::vector<bool>(unit.ids.size(), true));
}

VersionKey sixteen_keys(std::string_view id, std::string_view updated_at) {
  return (version_key(id, updated_at) & 0xf) + 1;
}

// Four threads check overlapping batches of the same versions, deliver what they were let
// through and flush now and then, while the staged bound flushes too.
void each_version_goes_through_once(VersionHash hash) {
  test::TempDir dir;
  SqliteStateStore state(dir.file("state.db"));
  Dedupe dedupe(state, 168h, hash);
  constexpr size_t kVersions = 10'000;
  constexpr size_t kThreads = 4;
  constexpr size_t kBatch = 64;
  std::vector<FindingVersion> all;
  for (size_t i = 0; i < kVersions; ++i) all.push_back({"f-" + std::to_string(i), kUpdated});
  std::vector<std::atomic<int>> let_through(kVersions);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      std::vector<FindingVersion> batch;
      std::vector<size_t> index;
      std::vector<FindingVersion> fresh;
      for (size_t n = 0; n < kVersions; n += kBatch) {
        batch.clear();
        index.clear();
        for (size_t k = n; k < std::min(n + kBatch, kVersions); ++k) {
          size_t i = (k + t * kVersions / kThreads) % kVersions;
          index.push_back(i);
          batch.push_back(all[i]);
        }
        std::vector<bool> duplicate = dedupe.find_duplicates(batch);
        fresh.clear();
        for (size_t j = 0; j < batch.size(); ++j)
          if (!duplicate[j]) {
            let_through[index[j]].fetch_add(1);
            fresh.push_back(batch[j]);
          }
        dedupe.delivered(fresh);
        if ((n / kBatch) % 16 == t) dedupe.flush();
      }
    });
  for (auto& thread : threads) thread.join();
  for (size_t i = 0; i < kVersions; ++i)
    ASSERT_EQ(let_through[i].load(), 1) << all[i].id << " let through other than once";
  EXPECT_EQ(dedupe.find_duplicates(all), std::vector<bool>(kVersions, true));
  dedupe.flush();
  SqliteStateStore again(dir.file("state.db"), StateAccess::kInspect);
  EXPECT_EQ(again.delivered_since(all, Timestamp{}), std::vector<bool>(kVersions, true));
}

TEST(Dedupe, ConcurrentChecksDeliveriesAndFlushesLetEachVersionThroughOnce) {
  each_version_goes_through_once(version_key);
}

TEST(Dedupe, ConcurrentChecksStayExactWhenKeysCollideAllTheTime) {
  each_version_goes_through_once(sixteen_keys);
}

}  // namespace
}  // namespace gd2s
