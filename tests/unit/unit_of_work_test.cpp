#include "core/unit_of_work.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace gd2s {
namespace {

struct Commits {
  int count = 0;
  UnitOfWork::Ending ending{};
};

UnitPtr make_unit(Commits& commits, uint64_t skipped = 0) {
  return std::make_shared<UnitOfWork>("files", "/x", skipped,
                                      [&commits](const UnitOfWork&, UnitOfWork::Ending e) {
                                        ++commits.count;
                                        commits.ending = e;
                                      });
}

TEST(UnitOfWork, CommitsOnceWhenSealedAndEveryRecordIsSettled) {
  Commits commits;
  auto unit = make_unit(commits);
  unit->add_record();
  unit->add_record();
  unit->add_record();
  unit->settle(Settlement::kAccepted);
  unit->seal(UnitOfWork::Ending::kComplete);
  EXPECT_EQ(commits.count, 0);
  unit->settle(Settlement::kFiltered);
  EXPECT_EQ(commits.count, 0);
  unit->settle(Settlement::kDeadLettered);
  EXPECT_EQ(commits.count, 1);
  EXPECT_EQ(commits.ending, UnitOfWork::Ending::kComplete);
  auto counts = unit->counts();
  EXPECT_EQ(counts.accepted + counts.filtered + counts.dead_lettered, 3u);
}

TEST(UnitOfWork, AnEmptyUnitCommitsWhenSealed) {
  Commits commits;
  auto unit = make_unit(commits);
  unit->seal(UnitOfWork::Ending::kComplete);
  EXPECT_EQ(commits.count, 1);
}

TEST(UnitOfWork, AStoppedUnitCommitsWhatItHandedOut) {
  Commits commits;
  auto unit = make_unit(commits, 5);
  EXPECT_EQ(unit->add_record(), 5u) << "indices count the records skipped on resume";
  unit->seal(UnitOfWork::Ending::kStopped);
  unit->settle(Settlement::kAccepted);
  EXPECT_EQ(commits.count, 1);
  EXPECT_EQ(commits.ending, UnitOfWork::Ending::kStopped);
}

TEST(UnitOfWork, AnAbandonedUnitNeverCommits) {
  Commits commits;
  auto unit = make_unit(commits);
  unit->add_record();
  unit->seal(UnitOfWork::Ending::kAbandoned);
  unit->settle(Settlement::kAccepted);
  EXPECT_EQ(commits.count, 0);
  EXPECT_FALSE(unit->committed());
}

TEST(UnitOfWork, SettlingMoreThanWasHandedOutIsABug) {
  Commits commits;
  auto unit = make_unit(commits);
  EXPECT_THROW(unit->settle(Settlement::kAccepted), std::logic_error);
}

TEST(UnitOfWork, SettlesFromManyThreadsAndCommitsOnce) {
  Commits commits;
  auto unit = make_unit(commits);
  constexpr int kRecords = 10000;
  for (int i = 0; i < kRecords; ++i) unit->add_record();
  unit->seal(UnitOfWork::Ending::kComplete);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kRecords / 4; ++i) unit->settle(Settlement::kAccepted);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(commits.count, 1);
}

TEST(UnitOfWork, RunsTheBeforeCommitHookOnceJustBeforeCommitting) {
  std::vector<std::string> calls;
  auto unit = std::make_shared<UnitOfWork>(
      "files", "/x", 0,
      [&calls](const UnitOfWork&, UnitOfWork::Ending) { calls.push_back("commit"); });
  unit->before_commit([&calls] { calls.push_back("before"); });
  unit->before_commit([&calls] { calls.push_back("a second hook"); });  // ignored
  unit->add_record();
  unit->add_record();
  unit->settle(Settlement::kAccepted);
  unit->seal(UnitOfWork::Ending::kComplete);
  EXPECT_TRUE(calls.empty()) << "not due yet";
  unit->settle(Settlement::kAccepted);
  EXPECT_EQ(calls, (std::vector<std::string>{"before", "commit"}));
  unit->seal(UnitOfWork::Ending::kComplete);
  EXPECT_EQ(calls.size(), 2u);
}

TEST(UnitOfWork, RunsTheHookWhenTheSealCommits) {
  std::vector<std::string> calls;
  auto unit = std::make_shared<UnitOfWork>(
      "files", "/x", 0,
      [&calls](const UnitOfWork&, UnitOfWork::Ending) { calls.push_back("commit"); });
  unit->before_commit([&calls] { calls.push_back("before"); });
  unit->add_record();
  unit->settle(Settlement::kFiltered);
  unit->seal(UnitOfWork::Ending::kStopped);
  EXPECT_EQ(calls, (std::vector<std::string>{"before", "commit"}));
}

TEST(UnitOfWork, AHookThatThrowsKeepsTheUnitFromCommitting) {
  Commits commits;
  auto unit = make_unit(commits);
  unit->before_commit([] { throw std::runtime_error("state database is full"); });
  unit->add_record();
  unit->seal(UnitOfWork::Ending::kComplete);
  EXPECT_THROW(unit->settle(Settlement::kAccepted), std::runtime_error);
  EXPECT_EQ(commits.count, 0) << "no checkpoint without what the hook writes";
}

TEST(UnitOfWork, AnAbandonedUnitNeverRunsTheHook) {
  Commits commits;
  auto unit = make_unit(commits);
  int hooks = 0;
  unit->before_commit([&hooks] { ++hooks; });
  unit->add_record();
  unit->seal(UnitOfWork::Ending::kAbandoned);
  unit->settle(Settlement::kAccepted);
  EXPECT_EQ(hooks, 0);
  EXPECT_EQ(commits.count, 0);
}

}  // namespace
}  // namespace gd2s
