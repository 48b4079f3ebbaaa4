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
  std::optional<Ending> commit = commit_due();
  lock.unlock();
  if (commit && on_commit_) on_commit_(*this, *commit);
}

void UnitOfWork::seal(Ending ending) {
  MutexLock lock(mutex_);
  if (sealed_) return;
  sealed_ = true;
  ending_ = ending;
  std::optional<Ending> commit = commit_due();
  lock.unlock();
  if (commit && on_commit_) on_commit_(*this, *commit);
}

std::optional<UnitOfWork::Ending> UnitOfWork::commit_due() {
  if (!sealed_ || committed_ || counts_.settled() != counts_.emitted) return std::nullopt;
  if (ending_ == Ending::kAbandoned) return std::nullopt;
  committed_ = true;
  return ending_;
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
