#include "services/gateway/http_request.h"

#include "common/grpc/rich_status.h"
#include "gtest/gtest.h"
#include "skinlens/v1/diagnosis.pb.h"

namespace skinlens::gateway {
namespace {

TEST(BearerToken, ReadsTheTokenOfABearerHeader) {
  EXPECT_EQ(BearerToken("Bearer abc.def").value(), "abc.def");
  EXPECT_EQ(BearerToken("bearer   xyz ").value(), "xyz");
}

TEST(BearerToken, NoHeaderIsAnEmptyToken) { EXPECT_EQ(BearerToken("").value(), ""); }

TEST(BearerToken, OtherSchemesAreUnauthenticated) {
  for (const char* header : {"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "token"}) {
    const absl::StatusOr<std::string> token = BearerToken(header);
    ASSERT_FALSE(token.ok()) << header;
    EXPECT_EQ(token.status().code(), absl::StatusCode::kUnauthenticated) << header;
    EXPECT_EQ(DetailOf<v1::ErrorInfo>(token.status())->reason(), "TOKEN_INVALID");
  }
}

TEST(ParseJsonBody, ReadsCamelAndProtoFieldNames) {
  v1::ChangePasswordRequest request;
  ASSERT_TRUE(ParseJsonBody(R"({"currentPassword":"a","new_password":"b"})", &request).ok());
  EXPECT_EQ(request.current_password(), "a");
  EXPECT_EQ(request.new_password(), "b");
}

TEST(ParseJsonBody, EmptyBodyIsAnEmptyMessage) {
  v1::LoginRequest request;
  request.set_username("stale");
  ASSERT_TRUE(ParseJsonBody("  ", &request).ok());
  EXPECT_EQ(request.username(), "");
}

TEST(ParseJsonBody, MalformedOrUnknownFieldsAreInvalidArgument) {
  v1::LoginRequest request;
  for (const char* body : {"{", "[1]", R"({"user":"x"})", R"({"username":3})"}) {
    const absl::Status status = ParseJsonBody(body, &request);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_TRUE(DetailOf<v1::BadRequest>(status).has_value()) << body;
  }
}

TEST(ParseQuery, ReadsEveryFieldTypeOfListDiagnoses) {
  v1::ListDiagnosesRequest request;
  ASSERT_TRUE(ParseQuery({{"pageSize", "5"},
                          {"pageToken", "abc"},
                          {"view", "full"},
                          {"startTime", "2024-06-01T00:00:00Z"}},
                         &request)
                  .ok());
  EXPECT_EQ(request.page_size(), 5);
  EXPECT_EQ(request.page_token(), "abc");
  EXPECT_EQ(request.view(), v1::DIAGNOSIS_VIEW_FULL);
  EXPECT_EQ(request.start_time().seconds(), 1717200000);
  EXPECT_FALSE(request.has_end_time());
}

TEST(ParseQuery, ReadsBooleansEnumsByFullNameAndProtoNames) {
  v1::DiagnoseRequest request;
  ASSERT_TRUE(ParseQuery({{"includeHeatmaps", "true"},
                          {"include_overlays", "1"},
                          {"overlayEncoding", "IMAGE_ENCODING_JPEG"}},
                         &request, {"photo"})
                  .ok());
  EXPECT_TRUE(request.include_heatmaps());
  EXPECT_TRUE(request.include_overlays());
  EXPECT_EQ(request.overlay_encoding(), v1::IMAGE_ENCODING_JPEG);
}

TEST(ParseQuery, RepeatedFieldTakesRepeatsAndCommaLists) {
  v1::GetTrendRequest request;
  ASSERT_TRUE(ParseQuery({{"attributes", "oil,wrinkle"},
                          {"attributes", "SENSITIVITY"},
                          {"bucket", "week"},
                          {"timeZone", "Asia/Seoul"}},
                         &request)
                  .ok());
  ASSERT_EQ(request.attributes_size(), 3);
  EXPECT_EQ(request.attributes(0), v1::ATTRIBUTE_OIL);
  EXPECT_EQ(request.attributes(1), v1::ATTRIBUTE_WRINKLE);
  EXPECT_EQ(request.attributes(2), v1::ATTRIBUTE_SENSITIVITY);
  EXPECT_EQ(request.bucket(), v1::TREND_BUCKET_WEEK);
  EXPECT_EQ(request.time_zone(), "Asia/Seoul");
}

TEST(ParseQuery, RefusesUnknownExcludedRepeatedAndMistypedParameters) {
  v1::DiagnoseRequest diagnose;
  v1::ListDiagnosesRequest list;
  struct Bad {
    QueryParams params;
    google::protobuf::Message* message;
    const char* field;
  } cases[] = {
      {{{"pageSiz", "5"}}, &list, "pageSiz"},
      {{{"photo", "AAAA"}}, &diagnose, "photo"},
      {{{"includeHeatmaps", "yes"}}, &diagnose, "includeHeatmaps"},
      {{{"view", "everything"}}, &list, "view"},
      {{{"pageSize", "1"}, {"pageSize", "2"}}, &list, "pageSize"},
      {{{"pageSize", "many"}}, &list, "query"},
      {{{"startTime", "yesterday"}}, &list, "query"},
  };
  for (auto& c : cases) {
    const absl::Status status = ParseQuery(c.params, c.message, {"photo"});
    ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    ASSERT_TRUE(DetailOf<v1::BadRequest>(status).has_value()) << c.field;
    EXPECT_EQ(DetailOf<v1::BadRequest>(status)->field_violations(0).field(), c.field);
  }
}

TEST(ParseAttribute, AcceptsShortAndFullNamesInAnyCase) {
  EXPECT_EQ(ParseAttribute("wrinkle").value(), v1::ATTRIBUTE_WRINKLE);
  EXPECT_EQ(ParseAttribute("Pigmentation").value(), v1::ATTRIBUTE_PIGMENTATION);
  EXPECT_EQ(ParseAttribute("ATTRIBUTE_OIL").value(), v1::ATTRIBUTE_OIL);
}

TEST(ParseAttribute, RefusesUnknownAndUnspecified) {
  for (const char* text : {"", "freckles", "unspecified", "ATTRIBUTE_UNSPECIFIED", "3"}) {
    EXPECT_EQ(ParseAttribute(text).status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(ValidateDiagnosisId, AcceptsUrlSafeIdsOnly) {
  EXPECT_TRUE(ValidateDiagnosisId("01HZX3K9Q2-a_b.c~d").ok());
  EXPECT_TRUE(ValidateDiagnosisId(std::string(128, 'a')).ok());
  for (const std::string& id : {std::string(""), std::string(129, 'a'), std::string(".."),
                                std::string("a/b"), std::string("a b"), std::string("a%2Fb")}) {
    EXPECT_EQ(ValidateDiagnosisId(id).code(), absl::StatusCode::kInvalidArgument) << id;
  }
}

TEST(MediaType, DropsParametersAndCase) {
  EXPECT_EQ(MediaType("Image/JPEG; charset=binary"), "image/jpeg");
  EXPECT_EQ(MediaType(""), "");
  EXPECT_TRUE(IsPhotoMediaType("image/webp"));
  EXPECT_FALSE(IsPhotoMediaType("image/gif"));
  EXPECT_FALSE(IsPhotoMediaType("application/json"));
}

TEST(AcceptsCsv, FindsTextCsvAmongAlternatives) {
  EXPECT_TRUE(AcceptsCsv("text/csv"));
  EXPECT_TRUE(AcceptsCsv("application/json;q=0.5, text/csv;q=1"));
  EXPECT_FALSE(AcceptsCsv("application/json"));
  EXPECT_FALSE(AcceptsCsv(""));
}

}  // namespace
}  // namespace skinlens::gateway
