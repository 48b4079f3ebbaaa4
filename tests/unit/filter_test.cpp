#include "transform/filter.h"

#include <gtest/gtest.h>

#include "decode/finding_decoder.h"

namespace gd2s {
namespace {

class FilterTest : public ::testing::Test {
 protected:
  const Finding& make(const std::string& type, double severity, bool sample = false,
                      bool archived = false) {
    text_ = R"({"schemaVersion":"2.0","accountId":"1","region":"r","id":"i","arn":"a","type":")" +
            type + R"(","resource":{},"severity":)" + std::to_string(severity) +
            R"(,"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z",)" +
            R"("service":{"archived":)" + (archived ? "true" : "false") +
            R"(,"additionalInfo":{"sample":)" + (sample ? "true" : "false") + "}}}";
    result_ = decoder_.decode(text_);
    return std::get<Finding>(result_);
  }
  FindingDecoder decoder_;
  std::string text_;
  std::variant<Finding, DecodeFailure> result_;
};

TEST_F(FilterTest, KeepsEverythingRealByDefault) {
  FindingFilter filter({});
  EXPECT_FALSE(filter.drop_reason(make("Recon:EC2/Portscan", 2)));
}

TEST_F(FilterTest, DropsSampleAndArchivedByDefaultWithTheReason) {
  FindingFilter filter({});
  EXPECT_EQ(filter.drop_reason(make("Recon:EC2/Portscan", 2, true)),
            "sample finding (drop_sample)");
  EXPECT_EQ(filter.drop_reason(make("Recon:EC2/Portscan", 2, false, true)),
            "archived finding (drop_archived)");
  FilterOptions keep;
  keep.drop_sample = false;
  keep.drop_archived = false;
  EXPECT_FALSE(FindingFilter(keep).drop_reason(make("Recon:EC2/Portscan", 2, true, true)));
}

TEST_F(FilterTest, DropsBelowMinSeverity) {
  FilterOptions options;
  options.min_severity = 4;
  FindingFilter filter(options);
  EXPECT_EQ(filter.drop_reason(make("Recon:EC2/Portscan", 3.9)),
            "severity 3.9 is below min_severity 4");
  EXPECT_FALSE(filter.drop_reason(make("Recon:EC2/Portscan", 4.0)));
}

TEST_F(FilterTest, IncludesAndExcludesByTypeGlobs) {
  FilterOptions options;
  options.include_types = {"UnauthorizedAccess:*", "Backdoor:*"};
  options.exclude_types = {"*:IAMUser/*"};
  FindingFilter filter(options);
  EXPECT_FALSE(filter.drop_reason(make("Backdoor:EC2/C&CActivity.B!DNS", 8)));
  EXPECT_EQ(filter.drop_reason(make("Recon:EC2/Portscan", 8)),
            "type Recon:EC2/Portscan matches no include_types pattern");
  EXPECT_EQ(
      filter.drop_reason(make("UnauthorizedAccess:IAMUser/TorIPCaller", 8)),
      "type UnauthorizedAccess:IAMUser/TorIPCaller matches exclude_types pattern *:IAMUser/*");
}

}  // namespace
}  // namespace gd2s
