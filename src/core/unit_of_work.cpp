#include "core/unit_of_work.h"

#include <stdexcept>

namespace gd2s {

uint64_t UnitOfWork::add_record() {
  std::lock_guard lock(mutex_);
  if (sealed_) throw std::logic_error("record added to sealed unit " + key_);
  return skipped_ + counts_.emitted++;
}

void UnitOfWork::settle(Settlement how) {
  std::unique_lock lock(mutex_);
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
  commit_if_done(lock);
}

void UnitOfWork::seal(Ending ending) {
  std::unique_lock lock(mutex_);
  if (sealed_) return;
  sealed_ = true;
  ending_ = ending;
  commit_if_done(lock);
}

void UnitOfWork::commit_if_done(std::unique_lock<std::mutex>& lock) {
  if (!sealed_ || committed_ || counts_.settled() != counts_.emitted) return;
  if (ending_ == Ending::kAbandoned) return;
  committed_ = true;
  Ending ending = ending_;
  lock.unlock();
  if (on_commit_) on_commit_(*this, ending);
}

UnitCounts UnitOfWork::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

bool UnitOfWork::committed() const {
  std::lock_guard lock(mutex_);
  return committed_;
}

}  // namespace gd2s
