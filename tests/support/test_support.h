#pragma once
// Helpers shared by the tests: temporary folders, files, gzip, and running the binary.

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace gd2s::test {

/// A fresh folder under the system temp dir, removed with everything in it at the end.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);
std::vector<std::string> read_lines(const std::string& path);

/// A small valid finding (Recon:EC2/Portscan, severity 5, account 111122223333, eu-west-1) as
/// one line of JSON without a newline.
std::string finding_json(const std::string& id,
                         const std::string& updated = "2026-03-01T00:00:00.000Z");

/// gzip-compresses `data` as one member.
std::string gzip(const std::string& data);

/// Where the project and the shared test data are.
std::string source_dir();
std::string shared_testdata();
bool have_shared_testdata();
/// CI=true in the environment: the CI run, which always has ../shared/testdata beside it.
bool running_in_ci();
std::string binary();

/// Runs the binary with `args`; captures stdout and stderr; returns the exit status.
struct ProcessResult {
  int status = -1;
  std::string out;
  std::string err;
};
ProcessResult run_binary(const std::vector<std::string>& args);

/// Writes a state database as schema 2 (the 2026-11 releases) left it, then runs `then_sql`
/// on it (rows to add, or steps back to an older schema). Throws on an SQL error.
void write_schema_two_state(const std::string& path, const std::string& then_sql);

/// The message of what `action` throws, or "(no error)" when it throws nothing.
std::string error_of(const std::function<void()>& action);

/// Polls `done` every 50 ms until it is true or `timeout` passes; returns its last value.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

}  // namespace gd2s::test

/// The third-party data (../shared/testdata) is read in place, never copied. Without it a test
/// skips itself, saying what was not checked; under CI its absence is a failure.
#define GD2S_REQUIRE_SHARED_TESTDATA(what)                                                     \
  do {                                                                                         \
    if (!::gd2s::test::have_shared_testdata()) {                                               \
      if (::gd2s::test::running_in_ci())                                                       \
        FAIL() << ::gd2s::test::shared_testdata() << " is absent under CI: " << (what);        \
      GTEST_SKIP() << "../shared/testdata is absent (GD2S_SHARED_TESTDATA names the folder): " \
                   << (what) << " not checked";                                                \
    }                                                                                          \
  } while (0)
