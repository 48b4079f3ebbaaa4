#include "support/background_run.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace gd2s::test {

BackgroundRun::BackgroundRun(const std::vector<std::string>& args, std::vector<std::string> env) {
  auto has = [&](const std::string& name) {
    return std::any_of(env.begin(), env.end(),
                       [&](const std::string& e) { return e.starts_with(name + "="); });
  };
  if (!has("PATH")) env.push_back("PATH=/usr/local/bin:/usr/bin:/bin");
  if (!has("HOME")) env.push_back("HOME=" + dir_.path().string());
  std::vector<std::string> argv_store{binary()};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv, envp;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string out = dir_.file("stdout"), err = dir_.file("stderr");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv_store[0]);
}

BackgroundRun::~BackgroundRun() {
  if (pid_ > 0) stop(SIGKILL, std::chrono::seconds(10));
}

int BackgroundRun::stop(int signal, std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  return wait_until(std::chrono::steady_clock::now() + timeout);
}

int BackgroundRun::wait(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  return wait_until(std::chrono::steady_clock::now() + timeout);
}

int BackgroundRun::wait_until(std::chrono::steady_clock::time_point until) {
  int status = 0;
  while (true) {
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (std::chrono::steady_clock::now() >= until) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      pid_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::vector<std::string> inherited_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  return env;
}

}  // namespace gd2s::test
