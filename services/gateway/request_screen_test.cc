#include "services/gateway/request_screen.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::gateway {
namespace {

using ::testing::HasSubstr;

RequestHead Post(const std::string& path, std::optional<std::string> length,
                 std::string content_type = "application/json") {
  RequestHead head;
  head.method = "POST";
  head.path = path;
  head.content_length = std::move(length);
  head.content_type = std::move(content_type);
  return head;
}

TEST(AllowedMethods, NamesTheMethodsOfEveryRouteAndOnlyGetForFiles) {
  EXPECT_EQ(AllowedMethods("/v1/sessions"), "POST");
  EXPECT_EQ(AllowedMethods("/v1/sessions/current"), "DELETE");
  EXPECT_EQ(AllowedMethods("/v1/diagnoses"), "GET, HEAD, POST");
  EXPECT_EQ(AllowedMethods("/v1/diagnoses/d-123"), "GET, HEAD, DELETE");
  EXPECT_EQ(AllowedMethods("/v1/diagnoses:export"), "GET, HEAD");
  EXPECT_EQ(AllowedMethods("/v1/trends/oil"), "GET, HEAD");
  EXPECT_EQ(AllowedMethods("/index.html"), "GET, HEAD");
  EXPECT_EQ(AllowedMethods("/v1/nothing-here"), std::nullopt);
}

TEST(ScreenRequest, LetsWellFormedRequestsThrough) {
  EXPECT_EQ(ScreenRequest(Post("/v1/sessions", "40"), {}), std::nullopt);
  EXPECT_EQ(ScreenRequest(Post("/v1/sessions", "40", "application/json; charset=utf-8"), {}),
            std::nullopt);
  EXPECT_EQ(ScreenRequest(Post("/v1/diagnoses", "5000000", "image/jpeg"), {}), std::nullopt);
  RequestHead get;
  get.method = "GET";
  get.path = "/v1/trends/oil";
  EXPECT_EQ(ScreenRequest(get, {}), std::nullopt);
  get.path = "/assets/app.js";
  EXPECT_EQ(ScreenRequest(get, {}), std::nullopt);
  RequestHead logout;  // no body at all
  logout.method = "DELETE";
  logout.path = "/v1/sessions/current";
  EXPECT_EQ(ScreenRequest(logout, {}), std::nullopt);
}

TEST(ScreenRequest, WrongMethodOnAKnownPathIs405WithAllow) {
  RequestHead head;
  head.method = "GET";
  head.path = "/v1/sessions";
  std::optional<Refusal> refusal = ScreenRequest(head, {});
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->http_status, 405);
  EXPECT_EQ(refusal->allow, "POST");
  EXPECT_THAT(refusal->status.message(), HasSubstr("/v1/sessions does not take GET"));
  EXPECT_TRUE(refusal->answer_now) << "no body to wait for";
  head.method = "POST";
  head.path = "/index.html";
  head.content_length = "0";
  refusal = ScreenRequest(head, {});
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->http_status, 405);
  EXPECT_EQ(refusal->allow, "GET, HEAD");
  // A body httplib reads: answered after it, on a clean connection.
  head.content_length = "300";
  refusal = ScreenRequest(head, {});
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->http_status, 405);
  EXPECT_FALSE(refusal->answer_now);
  // One it does not read (OPTIONS): answered at once, the connection closed.
  head.method = "OPTIONS";
  refusal = ScreenRequest(head, {});
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->http_status, 405);
  EXPECT_TRUE(refusal->answer_now);
}

TEST(ScreenRequest, AGetWithABodyIsRefusedBeforeTheBodyCanPoseAsTheNextRequest) {
  RequestHead head;
  head.method = "GET";
  head.path = "/v1/diagnoses";
  head.content_length = "52";
  std::optional<Refusal> refusal = ScreenRequest(head, {});
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->http_status, 400);
  EXPECT_TRUE(refusal->answer_now);
  head.content_length = "0";
  EXPECT_EQ(ScreenRequest(head, {}), std::nullopt);
}

TEST(ScreenRequest, CompressedOrChunkedBodiesAreRefusedBeforeReading) {
  RequestHead head = Post("/v1/diagnoses", "19000", "image/jpeg");
  head.content_encoding = "gzip";
  std::optional<Refusal> refusal = ScreenRequest(head, {});
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->http_status, 415);
  EXPECT_THAT(refusal->status.message(), HasSubstr("Content-Encoding 'gzip'"));
  EXPECT_TRUE(refusal->answer_now) << "reading it would inflate it";
  head.content_encoding = "identity";
  EXPECT_EQ(ScreenRequest(head, {}), std::nullopt);

  head = Post("/v1/diagnoses", std::nullopt, "image/jpeg");
  head.transfer_encoding = "chunked";
  refusal = ScreenRequest(head, {});
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->http_status, 411);
  EXPECT_TRUE(refusal->answer_now);
}

TEST(ScreenRequest, MissingNegativeOrAbsurdLengthsAreAnsweredAtOnce) {
  std::optional<Refusal> refusal = ScreenRequest(Post("/v1/sessions", std::nullopt), {});
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->http_status, 411);
  for (const char* bad : {"-1", "+5", "1e3", "", "12 34", "99999999999999999999999"}) {
    refusal = ScreenRequest(Post("/v1/sessions", bad), {});
    ASSERT_TRUE(refusal.has_value()) << bad;
    EXPECT_EQ(refusal->http_status, 400) << bad;
  }
  refusal = ScreenRequest(Post("/v1/sessions", "18446744073709551615"), {});
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->http_status, 413);
}

TEST(ScreenRequest, AuthRoutesTakeAFewKilobytes) {
  BodyLimits limits;
  limits.max_json_bytes = 8192;
  EXPECT_EQ(ScreenRequest(Post("/v1/accounts", "8192"), limits), std::nullopt);
  std::optional<Refusal> refusal = ScreenRequest(Post("/v1/accounts", "8193"), limits);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->http_status, 413);
  EXPECT_THAT(refusal->status.message(), HasSubstr("at most 8192"));
  // Answered after httplib has read the body (within its payload limit), so
  // that a client still sending it is not reset before it reads the answer.
  EXPECT_FALSE(refusal->answer_now);
  // Uploads are left to the server's payload limit.
  EXPECT_EQ(ScreenRequest(Post("/v1/diagnoses", "100000000", "image/png"), limits), std::nullopt);
}

TEST(ScreenRequest, JsonRoutesRefuseOtherMediaTypes) {
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""}) {
    std::optional<Refusal> refusal = ScreenRequest(Post("/v1/sessions", "30", type), {});
    ASSERT_TRUE(refusal.has_value()) << type;
    EXPECT_EQ(refusal->http_status, 415) << type;
    EXPECT_THAT(refusal->status.message(), HasSubstr("application/json")) << type;
    EXPECT_FALSE(refusal->answer_now) << type;
  }
}

}  // namespace
}  // namespace skinlens::gateway
