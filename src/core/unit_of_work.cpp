#include "core/unit_of_work.h"

#include <stdexcept>

namespace gd2s {

uint64_t UnitOfWork::add_record() {
  MutexLock lock(mutex_);
  if (sealed_) throw std::logic_error("record added to sealed unit " + key_);
  return skipped_ + counts_.emitted++;
}

void UnitOfWork::settle(Settlement how) {
  MutexLock lock(mutex_);
  switch (how) {
    case Settlement::kAccepted:
      ++counts_.accepted;
      break;
    case Settlement::kFiltered:
      ++counts_.filtered;
      break;
    case Settlement::kDeadLettered:
      ++counts_.dead_lettered;
      break;
  }
  if (counts_.settled() > counts_.emitted)
    throw std::logic_error("unit " + key_ + " settled more records than it handed out");
  std::optional<DueCommit> due = commit_due();
  lock.unlock();
  if (due) commit(*due);
}

void UnitOfWork::seal(Ending ending) {
  MutexLock lock(mutex_);
  if (sealed_) return;
  sealed_ = true;
  ending_ = ending;
  std::optional<DueCommit> due = commit_due();
  lock.unlock();
  if (due) commit(*due);
}

void UnitOfWork::before_commit(std::function<void()> hook) {
  MutexLock lock(mutex_);
  if (!before_commit_) before_commit_ = std::move(hook);
}

std::optional<UnitOfWork::DueCommit> UnitOfWork::commit_due() {
  if (!sealed_ || committed_ || counts_.settled() != counts_.emitted) return std::nullopt;
  if (ending_ == Ending::kAbandoned) return std::nullopt;
  committed_ = true;
  DueCommit due{ending_, std::move(before_commit_)};  // it runs once, as the unit commits once
  before_commit_ = nullptr;
  return due;
}

void UnitOfWork::commit(const DueCommit& due) {
  if (due.before) due.before();
  if (on_commit_) on_commit_(*this, due.ending);
}

UnitCounts UnitOfWork::counts() const {
  MutexLock lock(mutex_);
  return counts_;
}

bool UnitOfWork::committed() const {
  MutexLock lock(mutex_);
  return committed_;
}

}  // namespace gd2s
