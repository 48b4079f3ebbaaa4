#pragma once
// A test suite sharing one AWS stand-in: started before the suite's first test, stopped after its
// last; the faults a test added are cleared after it.

#include <gtest/gtest.h>

#include "support/aws_standin.h"

namespace gd2s::test {

class AwsStandinSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { standin_ = new AwsStandin(); }
  static void TearDownTestSuite() {
    delete standin_;
    standin_ = nullptr;
  }
  void TearDown() override { standin_->clear_faults(); }

  static inline AwsStandin* standin_ = nullptr;
};

}  // namespace gd2s::test
