#include "services/gateway/connection_guard.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MeasureRequest, WaitsForTheHeadThenForTheDeclaredBody) {
  EXPECT_FALSE(MeasureRequest("POST / HTTP/1.1\r\nContent-Length: 5\r\n", 100).head_complete);
  const std::string head = "POST / HTTP/1.1\r\ncontent-length: 5\r\n\r\n";
  const RequestExtent e = MeasureRequest(head + "ab", 100);
  EXPECT_TRUE(e.head_complete);
  EXPECT_EQ(e.head_bytes, head.size());
  EXPECT_EQ(e.body_bytes, 5u);
  EXPECT_TRUE(e.wait_for_body);
  EXPECT_FALSE(e.expects_continue);
}

TEST(MeasureRequest, DoesNotWaitForBodiesTheServerAnswersOnTheHead) {
  // Over the limit: the guard refuses it (413) on the head.
  const RequestExtent large = MeasureRequest("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 100);
  EXPECT_FALSE(large.wait_for_body);
  EXPECT_TRUE(large.too_large);
  // Chunked, no length, an unreadable length.
  EXPECT_FALSE(
      MeasureRequest("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
                     100)
          .wait_for_body);
  EXPECT_FALSE(MeasureRequest("POST / HTTP/1.1\r\nHost: x\r\n\r\n", 100).wait_for_body);
  EXPECT_FALSE(MeasureRequest("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 100).wait_for_body);
  EXPECT_TRUE(
      MeasureRequest("POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n", 100)
          .expects_continue);
}

TEST(ForwardedHead, ReplacesThePeerAndConnectionHeadersAndDropsExpect) {
  const std::string forwarded = ForwardedHead(
      "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nX-SkinLens-Peer: 203.0.113.9\r\n"
      "x-skinlens-peer: 198.51.100.1\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\n"
      "Expect: 100-continue\r\nContent-Length: 3\r\n\r\n",
      "127.0.0.1");
  EXPECT_EQ(forwarded,
            "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
            "Connection: close\r\nX-SkinLens-Peer: 127.0.0.1\r\n\r\n");
  EXPECT_THAT(forwarded, Not(HasSubstr("203.0.113.9")));
}

}  // namespace
}  // namespace skinlens::gateway
