// `gd2sentinel run` as users and scripts meet it: a run over the examples, folders with odd links,
// one state database per run, legacy rows, and SIGTERM in the middle of a run.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "state/sqlite_store.h"
#include "support/background_run.h"
#include "support/config_text.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

namespace fs = std::filesystem;

// A files source over `path`, a file sink, `transform` (TOML tables as written) at the end.
std::string config_for(const test::TempDir& dir, const std::string& path,
                       const std::string& transform = "") {
  return test::ConfigText()
      .files_source({path})
      .file_sink(dir.file("out.jsonl"))
      .dead_letters(dir.file("dead.jsonl"))
      .state(dir.file("state.db"))
      .log_level("warn")
      .raw(transform)
      .write(dir.file("config.toml"));
}

// (id, updatedAt) of every finding in examples/src.
std::set<std::pair<std::string, std::string>> example_versions() {
  std::set<std::pair<std::string, std::string>> versions;
  simdjson::dom::parser parser;
  for (const auto& entry : fs::directory_iterator(test::source_dir() + "/examples/src")) {
    std::string text = test::read_file(entry.path().string());
    auto doc = parser.parse(text);
    versions.emplace(std::string(std::string_view(doc["id"])),
                     std::string(std::string_view(doc["updatedAt"])));
  }
  return versions;
}

TEST(Cli, RunOverTheExamplesWritesANativeRowForEverySample) {
  test::TempDir dir;
  std::string examples = test::source_dir() + "/examples/AWSLogs";
  auto r = test::run_binary(
      {"run", "--config",
       config_for(dir, examples, "[transform]\ndrop_sample = false\ndrop_archived = false\n")});
  ASSERT_EQ(r.status, 0) << r.err;
  std::set<std::pair<std::string, std::string>> seen;
  simdjson::dom::parser parser;
  for (const std::string& line : test::read_lines(dir.file("out.jsonl"))) {
    auto row = parser.parse(line);
    std::string updated{std::string_view(row["TimeGenerated"])};
    seen.emplace(std::string(std::string_view(row["Id"])), updated);
  }
  auto expected = example_versions();
  EXPECT_EQ(seen.size(), expected.size());
  for (const auto& [id, updated] : expected) {
    bool found = false;
    for (const auto& s : seen)
      found |= s.first == id && s.second.substr(0, 19) == updated.substr(0, 19);
    EXPECT_TRUE(found) << id << " " << updated;
  }
  EXPECT_EQ(test::read_file(dir.file("dead.jsonl")), "");
}

// One symlink loop in an input folder used to stop the whole run (exit 1, nothing delivered).
TEST(Cli, AFolderWithASymlinkLoopAndADanglingLinkDeliversItsFiles) {
  test::TempDir dir;
  fs::create_directories(dir.file("in/sub"));
  test::write_file(dir.file("in/sub/good.jsonl"), test::finding_json("good-1") + "\n");
  fs::create_directory_symlink("..", dir.file("in/sub/up"));                 // a folder loop
  fs::create_symlink(dir.file("in/self.jsonl"), dir.file("in/self.jsonl"));  // a link loop
  fs::create_symlink(dir.file("in/gone.jsonl"), dir.file("in/dangling.jsonl"));
  auto r = test::run_binary({"run", "--config", config_for(dir, dir.file("in"))});
  EXPECT_EQ(r.status, 0) << r.err;
  auto lines = test::read_lines(dir.file("out.jsonl"));
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_NE(lines[0].find("good-1"), std::string::npos);
  for (const std::string& warning :
       {dir.file("in/sub/up") + ": a symbolic link loop back to " + dir.file("in"),
        dir.file("in/self.jsonl") + ": a loop of symbolic links",
        dir.file("in/dangling.jsonl") + ": a symbolic link to " + dir.file("in/gone.jsonl")}) {
    size_t at = r.err.find(warning);
    EXPECT_NE(at, std::string::npos) << warning << "\n" << r.err;
    EXPECT_EQ(r.err.find(warning, at + 1), std::string::npos) << "logged once: " << warning;
  }
}

// Two processes on one state database both delivered everything, and both exited 0.
TEST(Cli, ASecondRunOnOneStateDatabaseFailsNamingTheFirst) {
  test::TempDir dir;
  // The first run blocks opening the FIFO until the test writes to it, holding the state.
  ASSERT_EQ(mkfifo(dir.file("in.jsonl").c_str(), 0600), 0);
  std::string config = config_for(dir, dir.file("in.jsonl"));
  test::BackgroundRun first({"run", "--config", config}, {});
  std::string holder = "pid " + std::to_string(first.pid()) + " on host ";
  ASSERT_TRUE(test::wait_until(
      [&] {
        return fs::exists(dir.file("state.db.lock")) &&
               test::read_file(dir.file("state.db.lock")).find(holder) != std::string::npos;
      },
      std::chrono::seconds(30)))
      << first.err();

  auto second = test::run_binary({"run", "--config", config});
  EXPECT_EQ(second.status, 1);
  EXPECT_NE(second.err.find("state database " + dir.file("state.db") +
                            " is in use by gd2sentinel " + holder),
            std::string::npos)
      << second.err;
  EXPECT_NE(second.err.find("run one process per state database"), std::string::npos) << second.err;
  // An inspector needs no lock: it may look while the service runs.
  auto list = test::run_binary({"dead-letters", "list", "--config", config});
  EXPECT_EQ(list.status, 0) << list.err;

  int fifo = -1;
  ASSERT_TRUE(test::wait_until(
      [&] { return (fifo = open(dir.file("in.jsonl").c_str(), O_WRONLY | O_NONBLOCK)) >= 0; },
      std::chrono::seconds(30)));
  std::string line = test::finding_json("only-once") + "\n";
  ASSERT_EQ(write(fifo, line.data(), line.size()), static_cast<ssize_t>(line.size()));
  close(fifo);
  ASSERT_TRUE(test::wait_until(
      [&] {
        return fs::exists(dir.file("out.jsonl")) &&
               test::read_lines(dir.file("out.jsonl")).size() == 1;
      },
      std::chrono::seconds(30)))
      << first.err();
  EXPECT_EQ(first.stop(SIGTERM), 0) << first.err();
  EXPECT_EQ(test::read_lines(dir.file("out.jsonl")).size(), 1u) << "delivered by one process";
}

TEST(Cli, LegacyRowsAnswerTheClassicQuery) {
  // AWSGuardDuty_CL | where Severity > 2
  //   | project TimeGenerated, Severity, type_s, title_s, resource_resourceType_s,
  //   service_resourceRole_s
  test::TempDir dir;
  std::string examples = test::source_dir() + "/examples/AWSLogs";
  auto r = test::run_binary(
      {"run", "--config", config_for(dir, examples, "[transform]\nschema = \"legacy\"\n")});
  ASSERT_EQ(r.status, 0) << r.err;
  simdjson::dom::parser parser;
  size_t answered = 0;
  for (const std::string& line : test::read_lines(dir.file("out.jsonl"))) {
    auto row = parser.parse(line).get_object().value();
    ASSERT_TRUE(row["Severity"].is_number());
    if (double(row["Severity"]) <= 2) continue;
    ++answered;
    EXPECT_TRUE(row["TimeGenerated"].is_string());
    EXPECT_TRUE(row["type_s"].is_string());
    EXPECT_TRUE(row["title_s"].is_string());
    EXPECT_TRUE(row["resource_resourceType_s"].is_string());
    // Malware scans have no resourceRole; every other finding names one.
    std::string_view type = row["type_s"];
    if (type != "Object:S3/MaliciousFile" && type != "Execution:EC2/MaliciousFile!Snapshot") {
      EXPECT_TRUE(row["service_resourceRole_s"].is_string()) << type;
    }
  }
  EXPECT_GE(answered, 20u);
}

// SIGTERM in the middle of a run: reading stops, what is in flight is delivered and committed,
// and every unit is committed whole (or up to a recorded offset) or not at all.
TEST(Cli, SigtermCommitsEveryUnitWholeOrNotAtAll) {
  test::TempDir dir;
  fs::create_directory(dir.file("in"));
  constexpr int kFiles = 400, kPerFile = 250;
  for (int f = 0; f < kFiles; ++f) {
    std::string lines;
    for (int i = 0; i < kPerFile; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "%04d%04d", f, i);
      lines +=
          R"({"schemaVersion":"2.0","accountId":"111122223333","region":"us-east-1","id":")" +
          std::string(id) +
          R"(","arn":"arn:x","type":"Recon:EC2/Portscan","resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"i-0123456789abcdef0"}},)"
          R"("service":{"resourceRole":"TARGET","count":1,"action":{"actionType":"PORT_PROBE"}},)"
          R"("severity":5,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"})"
          "\n";
    }
    char name[32];
    std::snprintf(name, sizeof name, "in/%04d.jsonl.gz", f);
    test::write_file(dir.file(name), test::gzip(lines));
  }
  std::string config = config_for(dir, dir.file("in"));

  test::BackgroundRun run({"run", "--config", config}, test::inherited_environment());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((!fs::exists(dir.file("out.jsonl")) || fs::file_size(dir.file("out.jsonl")) < 200'000) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(run.stop(SIGTERM), 0) << run.err();

  auto rows_by_file = [&] {
    std::map<int, std::set<int>> rows;
    simdjson::dom::parser parser;
    for (const std::string& line : test::read_lines(dir.file("out.jsonl"))) {
      std::string id(std::string_view(parser.parse(line)["Id"]));
      rows[std::stoi(id.substr(0, 4))].insert(std::stoi(id.substr(4)));
    }
    return rows;
  };
  auto rows = rows_by_file();
  int done = 0, partial = 0, untouched = 0;
  {
    SqliteStateStore state(dir.file("state.db"));
    for (int f = 0; f < kFiles; ++f) {
      char name[32];
      std::snprintf(name, sizeof name, "in/%04d.jsonl.gz", f);
      auto cp = state.checkpoint("files", fs::absolute(dir.file(name)).lexically_normal().string());
      if (!cp) {
        ++untouched;
        continue;
      }
      (cp->status == CheckpointStatus::kDone ? done : partial)++;
      uint64_t expected = cp->status == CheckpointStatus::kDone ? kPerFile : cp->records_committed;
      // Everything the checkpoint claims is in the output.
      for (uint64_t i = 0; i < expected; ++i)
        ASSERT_TRUE(rows[f].contains(static_cast<int>(i))) << "file " << f << " record " << i;
    }
  }
  EXPECT_GT(done, 0);
  EXPECT_GT(untouched, 0) << "the run ended before SIGTERM: make the corpus larger";

  // A second run delivers the rest, each finding exactly once overall.
  auto r = test::run_binary({"run", "--config", config});
  ASSERT_EQ(r.status, 0) << r.err;
  size_t total = 0;
  std::map<int, std::set<int>> final_rows = rows_by_file();
  for (const auto& [f, ids] : final_rows) total += ids.size();
  EXPECT_EQ(total, static_cast<size_t>(kFiles * kPerFile));
  EXPECT_EQ(test::read_lines(dir.file("out.jsonl")).size(), static_cast<size_t>(kFiles * kPerFile))
      << "no finding was written twice";
}

}  // namespace
}  // namespace gd2s
