#include "support/test_support.h"

#include <fcntl.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <exception>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace gd2s::test {
namespace {
// spdlog's registry is a function-local static inside libspdlog.so. The program sets logging up
// before it starts a thread; a test may log first from two threads at once, and ThreadSanitizer
// cannot see the uninstrumented library's guard, so build the registry before main.
[[maybe_unused]] const bool kLoggingReady = spdlog::default_logger() != nullptr;
}  // namespace

std::string finding_json(const std::string& id, const std::string& updated) {
  return R"({"schemaVersion":"2.0","accountId":"111122223333","region":"eu-west-1","partition":"aws","id":")" +
         id + R"(","arn":"arn:aws:guardduty:eu-west-1:111122223333:detector/d/finding/)" + id +
         R"(","type":"Recon:EC2/Portscan","resource":{"resourceType":"Instance"},"service":{"resourceRole":"ACTOR"},)"
         R"("severity":5,"createdAt":"2026-03-01T00:00:00.000Z","updatedAt":")" +
         updated + "\"}";
}

TempDir::TempDir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (int i = 0; i < 100; ++i) {
    auto candidate = base / ("gd2s-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary folder");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string gzip(const std::string& data) {
  z_stream zs{};
  if (deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string source_dir() {
  return GD2S_SOURCE_DIR;
}
std::string shared_testdata() {
  return GD2S_SHARED_TESTDATA;
}
bool have_shared_testdata() {
  return std::filesystem::is_directory(shared_testdata());
}
bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0' && std::string_view(ci) != "false" &&
         std::string_view(ci) != "0";
}
std::string binary() {
  return GD2S_BINARY;
}

ProcessResult run_binary(const std::vector<std::string>& args) {
  TempDir dir;
  std::string out_path = dir.file("stdout"), err_path = dir.file("stderr");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  std::vector<std::string> argv_store{binary()};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + binary());
  int status = 0;
  waitpid(pid, &status, 0);
  ProcessResult result;
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

void write_schema_two_state(const std::string& path, const std::string& then_sql) {
  static constexpr const char* kSchemaTwo = R"sql(
CREATE TABLE unit_checkpoints (source TEXT NOT NULL, unit_key TEXT NOT NULL,
  version TEXT NOT NULL, size INTEGER NOT NULL, status TEXT NOT NULL,
  records_committed INTEGER NOT NULL, updated_at_us INTEGER NOT NULL,
  PRIMARY KEY (source, unit_key)) WITHOUT ROWID;
CREATE TABLE delivered_findings (finding_id TEXT NOT NULL, updated_at TEXT NOT NULL,
  delivered_us INTEGER NOT NULL, PRIMARY KEY (finding_id, updated_at)) WITHOUT ROWID;
CREATE INDEX delivered_findings_age ON delivered_findings (delivered_us);
CREATE TABLE dead_letter_replays (line_sha256 TEXT NOT NULL, ordinal INTEGER NOT NULL,
  replayed_us INTEGER, attempted_us INTEGER NOT NULL, attempts INTEGER NOT NULL,
  last_failure TEXT NOT NULL, PRIMARY KEY (line_sha256, ordinal)) WITHOUT ROWID;
PRAGMA user_version = 2;
)sql";
  sqlite3* db = nullptr;
  int rc = sqlite3_open(path.c_str(), &db);
  std::string why;
  for (const std::string& sql : {std::string(kSchemaTwo), then_sql}) {
    if (rc != SQLITE_OK) break;
    rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  }
  if (rc != SQLITE_OK) why = db != nullptr ? sqlite3_errmsg(db) : "cannot open";
  sqlite3_close(db);
  if (!why.empty()) throw std::runtime_error("writing a schema-2 state database: " + why);
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "(no error)";
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace gd2s::test
