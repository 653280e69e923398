#include "common/logging/request_id.h"

#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens {
namespace {

TEST(RequestId, NewIdsAreHexAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    EXPECT_THAT(id, ::testing::MatchesRegex("[0-9a-f]{32}"));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RequestId, ValidatesCallerSuppliedIds) {
  EXPECT_TRUE(IsValidRequestId("3f9c-01_a.b:c"));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId("has space"));
  EXPECT_FALSE(IsValidRequestId("line\nbreak"));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'a')));
  EXPECT_TRUE(IsValidRequestId(std::string(128, 'a')));
}

TEST(RequestId, RequestIdOrNewReplacesInvalid) {
  EXPECT_EQ(RequestIdOrNew("keep-me"), "keep-me");
  EXPECT_THAT(RequestIdOrNew("bad\"id"), ::testing::MatchesRegex("[0-9a-f]{32}"));
}

TEST(ScopedRequestId, NestsAndRestores) {
  EXPECT_EQ(CurrentRequestId(), "");
  {
    ScopedRequestId outer("outer");
    EXPECT_EQ(CurrentRequestId(), "outer");
    {
      ScopedRequestId inner("inner");
      EXPECT_EQ(CurrentRequestId(), "inner");
    }
    EXPECT_EQ(CurrentRequestId(), "outer");
  }
  EXPECT_EQ(CurrentRequestId(), "");
}

TEST(ScopedRequestId, IsPerThread) {
  ScopedRequestId scope("main-thread");
  std::string seen_in_other = "unset";
  std::thread([&] { seen_in_other = std::string(CurrentRequestId()); }).join();
  EXPECT_EQ(seen_in_other, "");
  EXPECT_EQ(CurrentRequestId(), "main-thread");
}

}  // namespace
}  // namespace skinlens
