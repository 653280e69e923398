// Every HTTP error mapping of the API contract (/tmp/http_routes.md,
// docs/API.md) has a case here.
#include "services/gateway/http_error.h"

#include "common/grpc/rich_status.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "skinlens/v1/common.pb.h"

namespace skinlens::gateway {
namespace {

using ::testing::HasSubstr;

absl::Status WithQuality(absl::Status status, v1::QualityReason reason) {
  v1::QualityReport report;
  report.add_issues()->set_reason(reason);
  report.mutable_issues(0)->set_message("fix it like this");
  return WithDetails(std::move(status), {&report});
}

google::protobuf::Struct ParseBody(const std::string& body) {
  google::protobuf::Struct s;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(body, &s).ok()) << body;
  return s;
}

struct Case {
  const char* name;
  absl::Status status;
  int http;
};

TEST(HttpStatusForError, MapsEveryCodeOfTheContract) {
  const Case cases[] = {
      {"bad input", absl::InvalidArgumentError("bad json"), 400},
      {"no token", absl::UnauthenticatedError("no token"), 401},
      {"wrong current password", absl::PermissionDeniedError("wrong"), 403},
      {"missing diagnosis", absl::NotFoundError("nope"), 404},
      {"username taken", absl::AlreadyExistsError("taken"), 409},
      {"throttled", absl::ResourceExhaustedError("slow"), 429},
      {"downstream down", absl::UnavailableError("down"), 503},
      {"too slow", absl::DeadlineExceededError("late"), 504},
      {"bug", absl::InternalError("oops"), 500},
      {"precondition without report", absl::FailedPreconditionError("x"), 400},
      {"too large",
       WithQuality(absl::InvalidArgumentError("big"), v1::QUALITY_REASON_IMAGE_TOO_LARGE), 413},
      {"too many pixels",
       WithQuality(absl::InvalidArgumentError("bomb"), v1::QUALITY_REASON_IMAGE_TOO_MANY_PIXELS),
       413},
      {"not an image",
       WithQuality(absl::InvalidArgumentError("what"), v1::QUALITY_REASON_UNSUPPORTED_FORMAT), 415},
      {"undecodable",
       WithQuality(absl::InvalidArgumentError("broken"), v1::QUALITY_REASON_UNDECODABLE), 400},
      {"empty photo",
       WithQuality(absl::InvalidArgumentError("empty"), v1::QUALITY_REASON_EMPTY_IMAGE), 400},
      {"quality gate",
       WithQuality(absl::FailedPreconditionError("dark"), v1::QUALITY_REASON_TOO_DARK), 422},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(HttpStatusForError(c.status), c.http) << c.name;
    EXPECT_EQ(ToHttpError(c.status).http_status, c.http) << c.name;
  }
}

TEST(ToHttpError, BodyIsGooglesErrorShapeWithDetails) {
  const HttpError e = ToHttpError(
      WithQuality(absl::FailedPreconditionError("too dark"), v1::QUALITY_REASON_TOO_DARK));
  const google::protobuf::Struct body = ParseBody(e.body);
  const auto& error = body.fields().at("error").struct_value().fields();
  EXPECT_EQ(error.at("code").number_value(), 422);
  EXPECT_EQ(error.at("status").string_value(), "FAILED_PRECONDITION");
  EXPECT_EQ(error.at("message").string_value(), "too dark");
  ASSERT_EQ(error.at("details").list_value().values_size(), 1);
  const auto& detail = error.at("details").list_value().values(0).struct_value().fields();
  EXPECT_EQ(detail.at("@type").string_value(), "type.googleapis.com/skinlens.v1.QualityReport");
  EXPECT_THAT(e.body, HasSubstr("QUALITY_REASON_TOO_DARK"));
  EXPECT_THAT(e.body, HasSubstr("fix it like this"));
  EXPECT_FALSE(e.retry_after_seconds.has_value());
}

TEST(ToHttpError, ThrottledCarriesRetryAfterFromRetryInfoRoundedUp) {
  v1::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(4);
  retry.mutable_retry_delay()->set_nanos(200000000);
  const HttpError e = ToHttpError(WithDetails(absl::ResourceExhaustedError("slow"), {&retry}));
  EXPECT_EQ(e.http_status, 429);
  ASSERT_TRUE(e.retry_after_seconds.has_value());
  EXPECT_EQ(*e.retry_after_seconds, 5);
  EXPECT_THAT(e.body, HasSubstr("type.googleapis.com/skinlens.v1.RetryInfo"));
}

TEST(ToHttpError, ThrottledWithoutRetryInfoStillSaysWhenToRetry) {
  const HttpError e = ToHttpError(absl::ResourceExhaustedError("busy"));
  ASSERT_TRUE(e.retry_after_seconds.has_value());
  EXPECT_EQ(*e.retry_after_seconds, 1);
}

TEST(ToHttpError, UnavailableWithRetryInfoCarriesRetryAfter) {
  v1::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(2);
  const HttpError e = ToHttpError(WithDetails(absl::UnavailableError("db down"), {&retry}));
  EXPECT_EQ(e.http_status, 503);
  EXPECT_EQ(e.retry_after_seconds.value_or(-1), 2);
}

TEST(ToHttpError, ErrorInfoAndBadRequestAppearAsJson) {
  v1::ErrorInfo info;
  info.set_reason("USERNAME_TAKEN");
  info.set_domain("auth.skinlens");
  v1::BadRequest bad;
  bad.add_field_violations()->set_field("password");
  const HttpError e = ToHttpError(WithDetails(absl::AlreadyExistsError("taken"), {&info, &bad}));
  EXPECT_EQ(e.http_status, 409);
  EXPECT_THAT(e.body, HasSubstr(R"("reason":"USERNAME_TAKEN")"));
  EXPECT_THAT(e.body, HasSubstr(R"("fieldViolations":[{"field":"password"}])"));
}

TEST(HttpErrorForStatusCode, LibraryErrorsGetTheSameShape) {
  for (int code : {400, 404, 413, 503}) {
    const HttpError e = HttpErrorForStatusCode(code);
    EXPECT_EQ(e.http_status, code);
    const google::protobuf::Struct body = ParseBody(e.body);
    const auto& error = body.fields().at("error").struct_value().fields();
    EXPECT_EQ(error.at("code").number_value(), code);
  }
  EXPECT_THAT(HttpErrorForStatusCode(413).body, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(HttpErrorForStatusCode(404).body, HasSubstr("NOT_FOUND"));
}

}  // namespace
}  // namespace skinlens::gateway
