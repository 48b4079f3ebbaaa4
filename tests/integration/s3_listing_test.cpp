// The s3_listing source against fauxqs on 127.0.0.1 behind the SigV4-checking proxy: pagination,
// awkward keys, gzip without a suffix, changed ETags, faults, permissions, and restarts by SIGKILL.

#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <functional>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "aws/credential_providers.h"
#include "http/curl_client.h"
#include "pipeline/pipeline.h"
#include "sinks/dead_letter_file.h"
#include "sinks/file/sink.h"
#include "sources/s3_listing/source.h"
#include "state/sqlite_store.h"
#include "support/aws_standin.h"
#include "support/aws_standin_suite.h"
#include "support/background_run.h"
#include "support/config_text.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

using namespace std::chrono_literals;
using test::AwsStandin;

constexpr const char* kBase = "AWSLogs/111122223333/GuardDuty/eu-west-1/";

std::string finding(const std::string& id,
                    const std::string& updated = "2026-03-01T00:00:00.000Z") {
  return test::finding_json(id, updated) + "\n";
}

std::string object_of(int object, int findings) {
  std::string lines;
  for (int i = 0; i < findings; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "%04d%04d", object, i);
    lines += finding(id);
  }
  return test::gzip(lines);
}

class S3Listing : public test::AwsStandinSuite {
 protected:
  struct Outcome {
    std::multiset<std::string> ids;
    SourceTotals totals;
    std::string error;
  };

  // One pass over `bucket` with the real source, pipeline and file sink.
  Outcome run_once(const std::string& bucket, size_t concurrency = 4,
                   const std::function<void(S3ListingOptions&)>& adjust = nullptr,
                   const std::string& run_name = "") {
    auto http = http::make_curl_client({});
    aws::S3Settings settings;
    settings.region = standin_->region();
    settings.endpoints.s3 = standin_->endpoint();
    settings.backoff = {5ms, 50ms, 4};
    auto credentials = aws::make_environment_provider([](const std::string& name) {
      if (name == "AWS_ACCESS_KEY_ID") return std::string(AwsStandin::kAccessKeyId);
      if (name == "AWS_SECRET_ACCESS_KEY") return std::string(AwsStandin::kSecretAccessKey);
      return std::string();
    });
    aws::S3Client s3(http, credentials, settings);
    std::string name = bucket + run_name;
    SqliteStateStore state(dir_.file("state-" + name + ".db"));
    Outcome outcome;
    {
      DeadLetterFile dead_letters(dir_.file("dead.jsonl"));
      FileSink sink(dir_.file("out-" + name + ".jsonl"));
      S3ListingOptions options;
      options.bucket = bucket;
      options.max_concurrent_objects = concurrency;
      options.once = true;
      if (adjust) adjust(options);
      S3ListingSource source(options, s3, state);
      auto schema = make_schema("native");
      FindingFilter filter(FilterOptions{});
      Dedupe dedupe(state, 168h);
      Pipeline pipeline(source, sink, dead_letters, *schema, filter, dedupe, {});
      try {
        pipeline.run();
      } catch (const std::exception& e) {
        outcome.error = e.what();
      }
      outcome.totals = source.totals();
    }
    simdjson::dom::parser parser;
    for (const std::string& line : test::read_lines(dir_.file("out-" + name + ".jsonl")))
      outcome.ids.insert(std::string(std::string_view(parser.parse(line)["Id"])));
    return outcome;
  }

  // Every object of `bucket` as a listing names it (LastModified as S3 reports it).
  std::vector<aws::S3Object> list_all(const std::string& bucket) {
    auto http = http::make_curl_client({});
    aws::S3Settings settings;
    settings.region = standin_->region();
    settings.endpoints.s3 = standin_->endpoint();
    auto credentials = aws::make_environment_provider([](const std::string& name) {
      if (name == "AWS_ACCESS_KEY_ID") return std::string(AwsStandin::kAccessKeyId);
      if (name == "AWS_SECRET_ACCESS_KEY") return std::string(AwsStandin::kSecretAccessKey);
      return std::string();
    });
    aws::S3Client s3(http, credentials, settings);
    std::vector<aws::S3Object> objects;
    aws::ListRequest request{bucket, "", "", "", "", 1000};
    do {
      aws::ListPage page = s3.list_objects_v2(request);
      objects.insert(objects.end(), page.objects.begin(), page.objects.end());
      request.continuation_token = page.truncated ? page.next_continuation_token : "";
    } while (!request.continuation_token.empty());
    return objects;
  }

  test::TempDir dir_;
};

TEST_F(S3Listing, ReadsEveryObjectAcrossPagesWithAwkwardKeysAndNoGzSuffix) {
  standin_->create_bucket("pages");
  constexpr int kObjects = 2550;
  for (int i = 0; i < kObjects; ++i) {
    char key[128];
    std::snprintf(key, sizeof key, "%s2026/03/01/%08d.jsonl.gz", kBase, i);
    standin_->put_object("pages", key, object_of(i, 1));
  }
  standin_->put_object(
      "pages", std::string(kBase) + "2026/03/02/with space+plus=equals caf\xC3\xA9.jsonl.gz",
      test::gzip(finding("awkward")));
  standin_->put_object("pages", std::string(kBase) + "2026/03/02/no-suffix",
                       test::gzip(finding("nosuffix")));
  Outcome first = run_once("pages");
  EXPECT_EQ(first.error, "");
  EXPECT_EQ(first.ids.size(), kObjects + 2u);
  EXPECT_EQ(first.ids.count("awkward"), 1u);
  EXPECT_EQ(first.ids.count("nosuffix"), 1u);
  EXPECT_EQ(first.ids.count("25490000"), 1u);
  EXPECT_EQ(first.totals.units_committed, kObjects + 2u);
  EXPECT_EQ(first.totals.units_expected, kObjects + 2u) << "the progress count, across pages";
  Outcome second = run_once("pages");
  EXPECT_EQ(second.totals.units_opened, 0u) << "committed objects are not read again";
  EXPECT_EQ(second.ids.size(), kObjects + 2u);
}

TEST_F(S3Listing, SinceSkipsEarlierDateFoldersAndAccountsAndRegionsNarrowTheWalk) {
  standin_->create_bucket("dates");
  standin_->put_object("dates", std::string(kBase) + "2026/02/28/old.jsonl.gz",
                       test::gzip(finding("feb28")));
  standin_->put_object("dates", std::string(kBase) + "2026/03/01/new.jsonl.gz",
                       test::gzip(finding("mar01")));
  standin_->put_object("dates", "AWSLogs/444455556666/GuardDuty/us-east-1/2026/03/01/x.jsonl.gz",
                       test::gzip(finding("other-account")));
  Outcome since = run_once(
      "dates", 2, [](S3ListingOptions& o) { o.since = "2026-03-01"; }, "-since");
  EXPECT_EQ(since.ids, (std::multiset<std::string>{"mar01", "other-account"}));
  Outcome narrowed = run_once(
      "dates", 2,
      [](S3ListingOptions& o) {
        o.accounts = {"111122223333"};
        o.regions = {"eu-west-1"};
      },
      "-narrow");
  EXPECT_EQ(narrowed.ids, (std::multiset<std::string>{"feb28", "mar01"}));
}

// Where Logstash's sincedb left off: objects modified at or before the time are neither read nor
// committed; one second earlier, all are read. Keys sit in today's date folder, as GuardDuty
// files them; an object in a folder older than the day before is not even listed.
TEST_F(S3Listing, ModifiedAfterSkipsObjectsModifiedAtOrBeforeIt) {
  standin_->create_bucket("modified");
  std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(now_utc())};
  char folder[16];
  std::snprintf(folder, sizeof folder, "%04d/%02u/%02u/", static_cast<int>(today.year()),
                static_cast<unsigned>(today.month()), static_cast<unsigned>(today.day()));
  for (int i = 0; i < 3; ++i)
    standin_->put_object("modified", std::string(kBase) + folder + "o" + std::to_string(i) + ".gz",
                         object_of(i, 2));
  Timestamp newest{};
  for (const aws::S3Object& object : list_all("modified")) {
    auto modified = parse_iso8601(object.last_modified);
    ASSERT_TRUE(modified) << object.last_modified;
    newest = std::max(newest, *modified);
  }
  standin_->put_object("modified", std::string(kBase) + "2020/01/01/ancient.gz", object_of(9, 1));

  Outcome before = run_once(
      "modified", 2,
      [&](S3ListingOptions& o) { o.modified_after = newest - std::chrono::seconds(1); }, "-before");
  EXPECT_EQ(before.error, "");
  EXPECT_EQ(before.ids.size(), 6u) << "every object modified after the time is read";
  EXPECT_EQ(before.totals.units_opened, 3u) << "the 2020 folder is before the listing's start";

  Outcome at = run_once(
      "modified", 2, [&](S3ListingOptions& o) { o.modified_after = newest; }, "-at");
  EXPECT_EQ(at.error, "");
  EXPECT_TRUE(at.ids.empty());
  EXPECT_EQ(at.totals.units_opened, 0u);
  EXPECT_EQ(at.totals.units_committed, 0u);
  SqliteStateStore state(dir_.file("state-modified-at.db"));
  EXPECT_FALSE(state.checkpoint("s3_listing", "modified/" + std::string(kBase) + folder + "o0.gz"))
      << "a skipped object is not committed";
}

TEST_F(S3Listing, ShardsSplitABucketWithoutOverlap) {
  standin_->create_bucket("shards");
  for (int i = 0; i < 40; ++i)
    standin_->put_object("shards",
                         std::string(kBase) + "2026/03/01/s" + std::to_string(i) + ".jsonl.gz",
                         object_of(i, 1));
  Outcome zero = run_once(
      "shards", 2,
      [](S3ListingOptions& o) {
        o.shard_index = 0;
        o.shard_count = 2;
      },
      "-0");
  Outcome one = run_once(
      "shards", 2,
      [](S3ListingOptions& o) {
        o.shard_index = 1;
        o.shard_count = 2;
      },
      "-1");
  std::set<std::string> all(zero.ids.begin(), zero.ids.end());
  for (const std::string& id : one.ids)
    EXPECT_TRUE(all.insert(id).second) << id << " read by both shards";
  EXPECT_EQ(all.size(), 40u);
  EXPECT_GT(zero.ids.size(), 5u);
  EXPECT_GT(one.ids.size(), 5u);
}

TEST_F(S3Listing, AnObjectWhoseETagChangesIsReadAgain) {
  standin_->create_bucket("etags");
  std::string key = std::string(kBase) + "2026/03/01/changing.jsonl.gz";
  standin_->put_object("etags", key, test::gzip(finding("v1") + finding("v2")));
  EXPECT_EQ(run_once("etags").ids.size(), 2u);
  standin_->put_object("etags", key, test::gzip(finding("v1") + finding("v2") + finding("v3")));
  Outcome second = run_once("etags");
  EXPECT_EQ(second.totals.units_opened, 1u);
  EXPECT_EQ(second.totals.units_expected, 1u) << "only what this pass reads counts";
  EXPECT_EQ(second.ids, (std::multiset<std::string>{"v1", "v2", "v3"}))
      << "the two versions already delivered are deduplicated; only v3 is new";
}

TEST_F(S3Listing, SurvivesBrokenConnectionsAndObjectsDeletedAfterListing) {
  standin_->create_bucket("faults");
  for (int i = 0; i < 6; ++i)
    standin_->put_object("faults",
                         std::string(kBase) + "2026/03/01/o" + std::to_string(i) + ".jsonl.gz",
                         object_of(i, 300));
  standin_->add_fault(
      R"({"method":"GET","path":"/faults/.*o1\\.jsonl\\.gz$","action":"close-mid-body","afterBytes":2000,"times":1})");
  standin_->add_fault(
      R"({"method":"GET","path":"/faults/.*o2\\.jsonl\\.gz$","action":"truncate-body","afterBytes":1500,"times":1})");
  standin_->add_fault(
      R"({"method":"GET","path":"/faults/.*o3\\.jsonl\\.gz$","action":"status","status":404,"body":"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>","headers":{"Content-Type":"application/xml"},"times":1})");
  Outcome outcome = run_once("faults");
  EXPECT_EQ(outcome.error, "");
  std::set<std::string> distinct(outcome.ids.begin(), outcome.ids.end());
  EXPECT_EQ(distinct.size(), outcome.ids.size()) << "resumed downloads deliver each finding once";
  EXPECT_EQ(outcome.ids.size(), 5u * 300) << "o3 looked deleted between list and get";
  EXPECT_EQ(outcome.ids.count("00010299"), 1u);
  EXPECT_EQ(outcome.ids.count("00020299"), 1u);
  EXPECT_EQ(outcome.totals.units_committed, 6u);
}

TEST_F(S3Listing, AccessDeniedLeavesTheObjectForTheNextPassWithTheFix) {
  standin_->create_bucket("denied");
  standin_->put_object("denied", std::string(kBase) + "2026/03/01/a.jsonl.gz", object_of(1, 3));
  standin_->put_object("denied", std::string(kBase) + "2026/03/01/b.jsonl.gz", object_of(2, 3));
  standin_->add_fault(R"({"method":"GET","path":"/denied/.*b\\.jsonl\\.gz$","action":"deny"})");
  Outcome blocked = run_once("denied");
  EXPECT_EQ(blocked.ids.size(), 3u);
  EXPECT_EQ(blocked.totals.units_abandoned, 1u);
  EXPECT_EQ(blocked.totals.units_committed, 1u);
  standin_->clear_faults();
  Outcome fixed = run_once("denied");
  EXPECT_EQ(fixed.totals.units_opened, 1u);
  EXPECT_EQ(fixed.ids.size(), 6u);
}

TEST_F(S3Listing, ListingRefusedIsAnErrorThatNamesThePermission) {
  standin_->create_bucket("nolist");
  standin_->add_fault(R"({"method":"GET","path":"^/nolist$","action":"deny"})");
  Outcome outcome = run_once("nolist");
  EXPECT_NE(outcome.error.find("s3:ListBucket"), std::string::npos) << outcome.error;
}

// SIGKILL at random moments across 20 runs over 5,000 findings in 500 objects; after a final
// clean run every finding reached the sink at least once, and the duplicates never exceed what
// was in flight (written but not committed) at each kill.
TEST_F(S3Listing, SigkillAtRandomMomentsLosesNothingAndDuplicatesOnlyWhatWasInFlight) {
  constexpr int kObjects = 500, kPerObject = 10;
  standin_->create_bucket("kills");
  for (int i = 0; i < kObjects; ++i) {
    char key[96];
    std::snprintf(key, sizeof key, "%s2026/03/%02d/%04d.jsonl.gz", kBase, 1 + i % 5, i);
    standin_->put_object("kills", key, object_of(i, kPerObject));
  }
  std::string out = dir_.file("kills.jsonl");
  std::string db = dir_.file("kills.db");
  test::ConfigText()
      .s3_listing_source("kills", standin_->region())
      .set("max_concurrent_objects", "4")
      .table("aws")
      .set_string("s3_endpoint", standin_->endpoint())
      .set("s3_path_style", "true")
      .file_sink(out)
      .dead_letters(dir_.file("kills-dead.jsonl"))
      .state(db)
      .log_level("error")
      .write(dir_.file("kills.toml"));
  auto start = [&] {
    return std::make_unique<test::BackgroundRun>(
        std::vector<std::string>{"run", "--config", dir_.file("kills.toml"), "--once"},
        AwsStandin::binary_environment({"HOME=" + dir_.path().string()}));
  };
  auto object_committed = [&](SqliteStateStore& state, int object, int line) {
    char key[96];
    std::snprintf(key, sizeof key, "kills/%s2026/03/%02d/%04d.jsonl.gz", kBase, 1 + object % 5,
                  object);
    auto cp = state.checkpoint("s3_listing", key);
    return cp && (cp->status == CheckpointStatus::kDone ||
                  static_cast<int>(cp->records_committed) > line);
  };
  auto rows = [&] {
    std::vector<std::string> ids;
    simdjson::dom::parser parser;
    if (!std::filesystem::exists(out)) return ids;
    for (const std::string& line : test::read_lines(out)) {
      simdjson::dom::element row;
      std::string_view id;
      if (parser.parse(line).get(row) || row["Id"].get(id)) continue;  // a row torn by the kill
      ids.emplace_back(id);
    }
    return ids;
  };
  std::mt19937 random(20261128);
  size_t allowance = 0;
  for (int run = 0; run < 20; ++run) {
    auto binary = start();
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(50, 700)(random)));
    binary->stop(SIGKILL);
    // Rows written for records that are not committed will be written again: that is the
    // most the next runs may duplicate.
    SqliteStateStore state(db);
    for (const std::string& id : rows())
      if (!object_committed(state, std::stoi(id.substr(0, 4)), std::stoi(id.substr(4))))
        ++allowance;
  }
  auto last = start();
  int status = last->wait();
  ASSERT_EQ(status, 0) << last->err();
  std::vector<std::string> all = rows();
  std::set<std::string> distinct(all.begin(), all.end());
  EXPECT_EQ(distinct.size(), static_cast<size_t>(kObjects * kPerObject)) << "every finding arrived";
  EXPECT_LE(all.size() - distinct.size(), allowance) << "duplicates only from what was in flight";
  RecordProperty("duplicates", static_cast<int>(all.size() - distinct.size()));
  RecordProperty("in_flight_allowance", static_cast<int>(allowance));
}

}  // namespace
}  // namespace gd2s
