// [source.files]: the folder walk (links, loops, entries that lead nowhere or cannot be read)
// and files that are gone by the time they are read.

#include <gtest/gtest.h>
#include <simdjson.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "pipeline/pipeline.h"
#include "sinks/dead_letter_file.h"
#include "sinks/file/sink.h"
#include "sources/files/source.h"
#include "state/sqlite_store.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// Captures what is logged while it lives.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return text_.str(); }
  size_t count(const std::string& what) const {
    size_t n = 0;
    std::string all = text();
    for (size_t at = all.find(what); at != std::string::npos; at = all.find(what, at + 1)) ++n;
    return n;
  }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

/// Reads a listing made beforehand, so that a test can change the folder in between.
class ListedFiles final : public Source {
 public:
  ListedFiles(FileSource& files, FileListing listing)
      : files_(files), listing_(std::move(listing)) {}
  std::string_view name() const override { return files_.name(); }
  void run(RecordEmitter& out, std::stop_token stop) override { files_.read(listing_, out, stop); }
  SourceTotals totals() const override { return files_.totals(); }

 private:
  FileSource& files_;
  FileListing listing_;
};

/// The Ids of the rows a pipeline over `source` wrote, sorted (workers write in any order).
std::vector<std::string> deliver(const test::TempDir& dir, SqliteStateStore& state,
                                 Source& source) {
  {
    DeadLetterFile dead_letters(dir.file("dead.jsonl"));
    FileSink sink(dir.file("out.jsonl"));
    auto schema = make_schema("native");
    FindingFilter filter(FilterOptions{});
    Dedupe dedupe(state, 168h);
    Pipeline pipeline(source, sink, dead_letters, *schema, filter, dedupe, {});
    pipeline.run();
  }
  std::vector<std::string> ids;
  simdjson::dom::parser parser;
  for (const std::string& line : test::read_lines(dir.file("out.jsonl")))
    ids.emplace_back(std::string_view(parser.parse(line)["Id"]));
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> relative(const test::TempDir& dir, const std::vector<fs::path>& files) {
  std::vector<std::string> names;
  for (const fs::path& f : files) names.push_back(f.lexically_relative(dir.path()).string());
  return names;
}

TEST(FileSource, FollowsLinksAndWalksEachFolderOnce) {
  test::TempDir dir;
  fs::create_directories(dir.file("in/a"));
  test::write_file(dir.file("in/a/x.jsonl"), test::finding_json("x") + "\n");
  test::write_file(dir.file("in/a/notes.txt"), "not a finding file\n");
  fs::create_directory_symlink("..", dir.file("in/a/loop"));   // back to in: a loop
  fs::create_directory_symlink("a", dir.file("in/b"));         // a second way to in/a
  fs::create_symlink("a/x.jsonl", dir.file("in/link.jsonl"));  // a link to a file: read
  LogCapture log;
  SqliteStateStore state(dir.file("state.db"));
  FileSource source(FileSourceOptions{{dir.file("in")}}, state);
  FileListing listing = source.list_files();
  EXPECT_EQ(relative(dir, listing.files),
            (std::vector<std::string>{"in/a/x.jsonl", "in/link.jsonl"}));
  EXPECT_EQ(listing.unreadable, 0u);
  EXPECT_EQ(log.count(dir.file("in/a/loop") + ": a symbolic link loop back to " + dir.file("in") +
                      "; skipped"),
            1u)
      << log.text();
  EXPECT_EQ(log.count(dir.file("in/b") + ": the same folder as " + dir.file("in/a")), 1u)
      << log.text();
}

TEST(FileSource, EntriesThatLeadNowhereAreLoggedOnceAndSkipped) {
  test::TempDir dir;
  fs::create_directories(dir.file("in"));
  test::write_file(dir.file("in/good.jsonl"), test::finding_json("good") + "\n");
  fs::create_symlink("ping.jsonl", dir.file("in/pong.jsonl"));
  fs::create_symlink("pong.jsonl", dir.file("in/ping.jsonl"));
  fs::create_symlink("nothing.jsonl", dir.file("in/dangling.jsonl"));
  ASSERT_EQ(mkfifo(dir.file("in/pipe.jsonl").c_str(), 0600), 0);  // would block a reader
  LogCapture log;
  SqliteStateStore state(dir.file("state.db"));
  FileSource source(FileSourceOptions{{dir.file("in")}}, state);
  EXPECT_EQ(deliver(dir, state, source), (std::vector<std::string>{"good"}));
  SourceTotals totals = source.totals();
  EXPECT_EQ(totals.units_opened, 1u);
  EXPECT_EQ(totals.units_committed, 1u);
  EXPECT_EQ(totals.units_abandoned, 0u) << "nothing was there to read: the run exits 0";
  for (const std::string& warning :
       {dir.file("in/ping.jsonl") + ": a loop of symbolic links; skipped",
        dir.file("in/pong.jsonl") + ": a loop of symbolic links; skipped",
        dir.file("in/dangling.jsonl") + ": a symbolic link to nothing.jsonl, which does not exist",
        dir.file("in/pipe.jsonl") + ": not a regular file"})
    EXPECT_EQ(log.count(warning), 1u) << warning << "\n" << log.text();
}

// A file deleted between the walk and its open used to fail the run.
TEST(FileSource, AFileGoneBetweenListingAndReadingIsSkippedAndTheRestDelivered) {
  test::TempDir dir;
  fs::create_directories(dir.file("in"));
  for (const char* id : {"1", "2", "3"})
    test::write_file(dir.file(std::string("in/") + id + ".jsonl"), test::finding_json(id) + "\n");
  SqliteStateStore state(dir.file("state.db"));
  FileSource files(FileSourceOptions{{dir.file("in")}}, state);
  FileListing listing = files.list_files();
  ASSERT_EQ(listing.files.size(), 3u);
  fs::remove(dir.file("in/2.jsonl"));
  LogCapture log;
  ListedFiles source(files, listing);
  EXPECT_EQ(deliver(dir, state, source), (std::vector<std::string>{"1", "3"}));
  SourceTotals totals = source.totals();
  EXPECT_EQ(totals.units_opened, 2u);
  EXPECT_EQ(totals.units_committed, 2u);
  EXPECT_EQ(totals.units_abandoned, 0u) << "nothing of it was lost: the run exits 0";
  std::string gone = fs::absolute(dir.file("in/2.jsonl")).lexically_normal().string();
  EXPECT_EQ(log.count(gone + ": gone since its folder was listed; skipped"), 1u) << log.text();
  EXPECT_FALSE(state.checkpoint("files", gone)) << "not committed: should it come back, it is read";
}

// Root reads any folder whatever its mode, and tests run as root: the walk runs in a child
// process as an unprivileged user then.
TEST(FileSource, AFolderThatCannotBeReadIsAbandonedAndTheRestRead) {
  test::TempDir dir;
  fs::create_directories(dir.file("in/locked"));
  test::write_file(dir.file("in/open.jsonl"), test::finding_json("open") + "\n");
  test::write_file(dir.file("in/locked/hidden.jsonl"), test::finding_json("hidden") + "\n");
  for (const std::string& path : {dir.path().string(), dir.file("in"), dir.file("in/open.jsonl")})
    fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read |
                              fs::perms::group_exec | fs::perms::others_exec);
  fs::permissions(dir.file("in/locked"), fs::perms::none);
  SqliteStateStore state(dir.file("state.db"));
  FileSource source(FileSourceOptions{{dir.file("in")}}, state);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(99);
    FileListing listing = source.list_files();
    bool only_open = listing.files.size() == 1 && listing.files[0].filename() == "open.jsonl";
    _exit(only_open ? static_cast<int>(std::min<uint64_t>(listing.unreadable, 50)) : 98);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << "one unreadable folder, and the file beside it listed";
  fs::permissions(dir.file("in/locked"), fs::perms::owner_all);

  // What the run makes of it: one unit abandoned, so a one-pass run exits 1.
  FileListing listing;
  listing.unreadable = 1;
  ListedFiles listed(source, listing);
  deliver(dir, state, listed);
  EXPECT_EQ(source.totals().units_abandoned, 1u);
  EXPECT_EQ(source.totals().units_opened, 1u);
}

}  // namespace
}  // namespace gd2s
