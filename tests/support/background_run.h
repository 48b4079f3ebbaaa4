#pragma once
// The gd2sentinel binary running in the background for as long as a test needs it: standard
// output and error go to files the test can read while it runs; it is killed if still alive at
// the end.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace gd2s::test {

class BackgroundRun {
 public:
  /// Runs the binary with `args` (without the program name) and exactly the environment `env`
  /// ("NAME=value"; PATH and HOME are added when absent).
  BackgroundRun(const std::vector<std::string>& args, std::vector<std::string> env);
  ~BackgroundRun();
  BackgroundRun(const BackgroundRun&) = delete;
  BackgroundRun& operator=(const BackgroundRun&) = delete;

  pid_t pid() const { return pid_; }
  /// What it has written to standard error (or output) so far.
  std::string err() const { return read_file(dir_.file("stderr")); }
  std::string out() const { return read_file(dir_.file("stdout")); }
  /// Sends `signal` and waits up to `timeout` for the exit; returns the exit status, 128 + the
  /// signal when a signal ended it, or -1 when it is still running (then it is killed).
  int stop(int signal, std::chrono::seconds timeout = std::chrono::seconds(60));
  /// Waits up to `timeout` for it to end by itself; returns as stop() does.
  int wait(std::chrono::seconds timeout = std::chrono::seconds(240));
  /// Whether it has been waited for (stop() or wait() returned).
  bool ended() const { return pid_ <= 0; }

 private:
  TempDir dir_;
  int wait_until(std::chrono::steady_clock::time_point until);
  pid_t pid_ = -1;
};

/// This test process's own environment ("NAME=value"), for a run that sees what the test sees.
std::vector<std::string> inherited_environment();

}  // namespace gd2s::test
