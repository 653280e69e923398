// The API's shape as the clients rely on it: the services and RPCs exist under
// their published names, every enum starts with an _UNSPECIFIED zero value, and
// messages survive protobuf's JSON mapping (which the gateway's HTTP API uses).
#include <set>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "skinlens/v1/auth.grpc.pb.h"
#include "skinlens/v1/diagnosis.grpc.pb.h"
#include "skinlens/v1/explain.grpc.pb.h"
#include "skinlens/v1/history.grpc.pb.h"
#include "skinlens/v1/inference.grpc.pb.h"
#include "skinlens/v1/preprocess.grpc.pb.h"

namespace skinlens {
namespace {

using ::testing::IsSupersetOf;

// `file` comes from a message of the service's file: referencing it is what
// links that file's descriptors into the test from the static library.
std::set<std::string> MethodsOf(const google::protobuf::FileDescriptor* file,
                                const std::string& service) {
  const auto* descriptor = file->pool()->FindServiceByName(service);
  EXPECT_NE(descriptor, nullptr) << service;
  std::set<std::string> names;
  if (descriptor == nullptr) return names;
  for (int i = 0; i < descriptor->method_count(); ++i) names.insert(descriptor->method(i)->name());
  return names;
}

TEST(ApiContract, PublicServiceOffersEveryUserOperation) {
  EXPECT_THAT(
      MethodsOf(v1::DiagnoseRequest::descriptor()->file(), "skinlens.v1.DiagnosisService"),
      IsSupersetOf({"Register", "Login", "Logout", "ChangePassword", "DeleteAccount", "Diagnose",
                    "ListDiagnoses", "GetDiagnosis", "DeleteDiagnosis", "GetTrend"}));
}

TEST(ApiContract, InternalServicesOfferThePipelineStages) {
  EXPECT_THAT(
      MethodsOf(v1::AuthServiceLoginRequest::descriptor()->file(), "skinlens.v1.AuthService"),
      IsSupersetOf(
          {"Register", "Login", "ValidateToken", "Logout", "ChangePassword", "DeleteAccount"}));
  EXPECT_THAT(MethodsOf(v1::PreprocessServicePreprocessRequest::descriptor()->file(),
                        "skinlens.v1.PreprocessService"),
              IsSupersetOf({"Preprocess"}));
  EXPECT_THAT(MethodsOf(v1::InferenceServicePredictRequest::descriptor()->file(),
                        "skinlens.v1.InferenceService"),
              IsSupersetOf({"Predict", "GetModelInfo", "ReloadModel"}));
  EXPECT_THAT(MethodsOf(v1::ExplainServiceExplainRequest::descriptor()->file(),
                        "skinlens.v1.ExplainService"),
              IsSupersetOf({"Explain"}));
  EXPECT_THAT(MethodsOf(v1::HistoryServiceRecordDiagnosisRequest::descriptor()->file(),
                        "skinlens.v1.HistoryService"),
              IsSupersetOf({"RecordDiagnosis", "GetDiagnosis", "ListDiagnoses", "DeleteDiagnosis",
                            "GetTrend", "DeleteUserData"}));
}

TEST(ApiContract, EveryEnumStartsWithUnspecifiedZero) {
  const auto* file = v1::Diagnosis::descriptor()->file();
  ASSERT_GT(file->enum_type_count(), 0);
  for (int i = 0; i < file->enum_type_count(); ++i) {
    const auto* e = file->enum_type(i);
    ASSERT_GT(e->value_count(), 0);
    EXPECT_EQ(e->value(0)->number(), 0) << e->full_name();
    EXPECT_THAT(e->value(0)->name(), ::testing::EndsWith("_UNSPECIFIED")) << e->full_name();
  }
}

TEST(ApiContract, DiagnosisRoundTripsThroughJsonMapping) {
  v1::Diagnosis diagnosis;
  diagnosis.set_id("d-1");
  diagnosis.set_request_id("req-9");
  diagnosis.mutable_create_time()->set_seconds(1764169200);
  auto* result = diagnosis.add_results();
  result->set_attribute(v1::ATTRIBUTE_WRINKLE);
  for (float p : {0.1f, 0.2f, 0.4f, 0.2f, 0.1f}) {
    result->mutable_distribution()->add_probabilities(p);
  }
  result->mutable_distribution()->set_grade(2);
  result->mutable_distribution()->set_expected_score(2.0f);

  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(diagnosis, &json).ok());
  EXPECT_THAT(json, ::testing::HasSubstr("\"attribute\":\"ATTRIBUTE_WRINKLE\""));
  EXPECT_THAT(json, ::testing::HasSubstr("\"createTime\":\"2025-11-26T15:00:00Z\""));
  v1::Diagnosis back;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &back).ok());
  EXPECT_EQ(back.SerializeAsString(), diagnosis.SerializeAsString());
}

}  // namespace
}  // namespace skinlens
