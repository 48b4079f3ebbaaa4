#include <gtest/gtest.h>

#include "sinks/file/sink.h"
#include "support/test_support.h"

namespace gd2s {
namespace {

class CountingReceiver final : public DeliveryReceiver {
 public:
  size_t accepted_rows = 0;
  void accepted(std::span<OutboundRow> rows) override { accepted_rows += rows.size(); }
  void rejected(OutboundRow&, std::string_view) override {}
};

TEST(FileSink, AppendsOneRowPerLineAndAcknowledgesThem) {
  test::TempDir dir;
  CountingReceiver receiver;
  {
    FileSink sink(dir.file("rows.jsonl"));
    std::vector<OutboundRow> rows;
    rows.push_back({"{\"Id\":\"a\"}", {}});
    rows.push_back({"{\"Id\":\"b\"}", {}});
    sink.send(std::move(rows), receiver);
  }
  EXPECT_EQ(test::read_file(dir.file("rows.jsonl")), "{\"Id\":\"a\"}\n{\"Id\":\"b\"}\n");
  EXPECT_EQ(receiver.accepted_rows, 2u);
}

TEST(FileSink, StartsOnAFreshLineAfterATornLastRow) {
  test::TempDir dir;
  test::write_file(dir.file("rows.jsonl"), "{\"Id\":\"a\"}\n{\"Id\":\"to");  // killed mid-write
  CountingReceiver receiver;
  {
    FileSink sink(dir.file("rows.jsonl"));
    std::vector<OutboundRow> rows;
    rows.push_back({"{\"Id\":\"b\"}", {}});
    sink.send(std::move(rows), receiver);
  }
  EXPECT_EQ(test::read_file(dir.file("rows.jsonl")),
            "{\"Id\":\"a\"}\n{\"Id\":\"to\n{\"Id\":\"b\"}\n");
}

}  // namespace
}  // namespace gd2s
