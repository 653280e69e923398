// HistoryService over gRPC: a real server on an ephemeral loopback port with a
// SQLite store in a temporary file, called through the generated stub.
#include "services/history/history_service.h"

#include <functional>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/grpc/call_assertion.h"
#include "common/grpc/channel_factory.h"
#include "common/grpc/rich_status.h"
#include "common/grpc/server_runner.h"
#include "common/metrics/metrics_registry.h"
#include "common/storage/testing/store_backend.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"

namespace skinlens::history {
namespace {

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  out->set_seconds(absl::ToUnixSeconds(t));
  out->set_nanos(0);
}

// A diagnosis at `t` with one OIL result of `score` and one region.
v1::Diagnosis MakeDiagnosis(absl::Time t, double score) {
  v1::Diagnosis d;
  SetTime(t, d.mutable_create_time());
  d.set_model_version("m1, \"beta\"");
  v1::AttributeResult* r = d.add_results();
  r->set_attribute(v1::ATTRIBUTE_OIL);
  r->mutable_distribution()->set_grade(static_cast<int>(score + 0.5));
  r->mutable_distribution()->set_expected_score(static_cast<float>(score));
  v1::RegionResult* region = d.add_regions();
  region->set_region(static_cast<v1::FaceRegion>(1));
  *region->add_attributes() = *r;
  d.add_photo_heatmaps();
  d.set_explanation_status(v1::EXPLANATION_STATUS_COMPLETE);
  return d;
}

// A store whose database is down: every call is UNAVAILABLE.
class UnreachableStore final : public storage::HistoryStore {
 public:
  absl::StatusOr<storage::RecordedDiagnosis> RecordDiagnosis(absl::string_view, absl::string_view,
                                                             const v1::Diagnosis&) override {
    return Down();
  }
  absl::StatusOr<v1::Diagnosis> GetDiagnosis(absl::string_view, absl::string_view) override {
    return Down();
  }
  absl::StatusOr<storage::DiagnosisPage> ListDiagnoses(absl::string_view,
                                                       const storage::ListRequest&) override {
    return Down();
  }
  absl::Status DeleteDiagnosis(absl::string_view, absl::string_view) override { return Down(); }
  absl::StatusOr<int64_t> DeleteUserData(absl::string_view) override { return Down(); }
  absl::StatusOr<std::vector<storage::TrendSample>> Trend(absl::string_view, v1::Attribute,
                                                          const storage::TimeRange&) override {
    return Down();
  }

 private:
  static absl::Status Down() { return absl::UnavailableError("database is down"); }
};

constexpr char kSecret[] = "history-service-test-secret-0123456789abcdef";

const absl::Time kDay0 = absl::FromCivil(absl::CivilDay(2024, 6, 3), absl::UTCTimeZone());

// The same tests run on SQLite (history_service_test) and on the test
// PostgreSQL cluster (history_service_pgtest, built with
// SKINLENS_HISTORY_TEST_POSTGRES).
std::unique_ptr<storage::testing::TestDatabase> MakeTestDatabase() {
#ifdef SKINLENS_HISTORY_TEST_POSTGRES
  auto database = storage::testing::PostgresTestDatabase::Create();
  EXPECT_TRUE(database.ok()) << database.status();
  return database.ok() ? std::move(*database) : nullptr;
#else
  return storage::testing::MakeSqliteTestDatabase();
#endif
}

class HistoryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = MakeTestDatabase();
    ASSERT_NE(database_, nullptr);
    auto store = database_->OpenHistoryStore({});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    HistoryServiceOptions options;
    options.max_trend_points = 3;
    service_ = std::make_unique<HistoryService>(store_.get(), key_, options);
    StartServer();
  }

  grpc::Status Record(const std::string& user, const std::string& key, const v1::Diagnosis& d,
                      v1::HistoryServiceRecordDiagnosisResponse* response) {
    grpc::ClientContext context;
    As(user, &context);
    v1::HistoryServiceRecordDiagnosisRequest request;
    request.set_idempotency_key(key);
    *request.mutable_diagnosis() = d;
    return stub_->RecordDiagnosis(&context, request, response);
  }

  std::string RecordOk(const std::string& user, const std::string& key, absl::Time t,
                       double score) {
    v1::HistoryServiceRecordDiagnosisResponse response;
    grpc::Status s = Record(user, key, MakeDiagnosis(t, score), &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.diagnosis().id();
  }

  grpc::Status List(const std::string& user, const v1::HistoryServiceListDiagnosesRequest& request,
                    v1::HistoryServiceListDiagnosesResponse* response) {
    grpc::ClientContext context;
    As(user, &context);
    return stub_->ListDiagnoses(&context, request, response);
  }

  grpc::Status Trend(const std::string& user, const v1::HistoryServiceGetTrendRequest& request,
                     v1::HistoryServiceGetTrendResponse* response) {
    grpc::ClientContext context;
    As(user, &context);
    return stub_->GetTrend(&context, request, response);
  }

  // Claims `user` on `context` as the gateway does; stub_'s channel signs it.
  void As(const std::string& user, grpc::ClientContext* context) {
    if (!user.empty()) ClaimUser(user, context);
  }

  // Serves `store` instead of the SQLite one.
  void Restart(storage::HistoryStore* store) {
    stub_.reset();
    runner_.reset();
    service_ = std::make_unique<HistoryService>(store, key_);
    StartServer();
  }

  // Serves service_ on a free loopback port and connects stub_ to it.
  void StartServer() {
    ServerOptions server;
    server.service_name = "history";
    server.admin_port = -1;
    server.shutdown_grace = absl::Seconds(1);
    auto runner = ServerRunner::Start(
        server, {{v1::HistoryService::service_full_name(), service_.get()}}, &registry_);
    ASSERT_TRUE(runner.ok()) << runner.status();
    runner_ = std::move(*runner);
    const std::string target = absl::StrCat("127.0.0.1:", runner_->port());
    stub_ = v1::HistoryService::NewStub(CreateChannel(target, {}, CallSigner(key_)));
    unsigned_stub_ = v1::HistoryService::NewStub(CreateChannel(target));
  }

  const CallAssertionKey key_ = *CallAssertionKey::FromSecret(kSecret);
  UnreachableStore down_;  // Declared first: outlives the server.
  std::unique_ptr<storage::testing::TestDatabase> database_;
  std::unique_ptr<storage::HistoryStore> store_;
  std::unique_ptr<HistoryService> service_;
  MetricsRegistry registry_;
  std::unique_ptr<ServerRunner> runner_;
  std::unique_ptr<v1::HistoryService::Stub> stub_;           // Signs as the gateway does.
  std::unique_ptr<v1::HistoryService::Stub> unsigned_stub_;  // Sends what a test attaches.
};

TEST_F(HistoryServiceTest, RecordingTwiceWithOneKeyStoresOneRecord) {
  v1::HistoryServiceRecordDiagnosisResponse first;
  ASSERT_TRUE(Record("alice", "req-1", MakeDiagnosis(kDay0, 1.0), &first).ok());
  EXPECT_TRUE(first.created());
  EXPECT_FALSE(first.diagnosis().id().empty());
  // Heatmaps are not kept.
  EXPECT_EQ(first.diagnosis().photo_heatmaps_size(), 0);
  EXPECT_EQ(first.diagnosis().explanation_status(), v1::EXPLANATION_STATUS_NOT_STORED);

  v1::HistoryServiceRecordDiagnosisResponse second;
  ASSERT_TRUE(Record("alice", "req-1", MakeDiagnosis(kDay0 + absl::Hours(1), 3.0), &second).ok());
  EXPECT_FALSE(second.created());
  EXPECT_EQ(second.diagnosis().id(), first.diagnosis().id());
  EXPECT_EQ(second.diagnosis().create_time().seconds(), absl::ToUnixSeconds(kDay0));

  v1::HistoryServiceListDiagnosesRequest request;
  v1::HistoryServiceListDiagnosesResponse page;
  ASSERT_TRUE(List("alice", request, &page).ok());
  EXPECT_EQ(page.diagnoses_size(), 1);
}

TEST_F(HistoryServiceTest, ListPagesNewestFirstWithinTheRange) {
  for (int i = 0; i < 5; ++i) {
    RecordOk("alice", absl::StrCat("k", i), kDay0 + absl::Hours(i), i * 0.5);
  }
  RecordOk("bob", "k0", kDay0, 1.0);
  v1::HistoryServiceListDiagnosesRequest request;
  request.set_page_size(2);
  SetTime(kDay0 + absl::Hours(1), request.mutable_start_time());  // Drops hour 0.
  std::vector<int64_t> seconds;
  int pages = 0;
  do {
    v1::HistoryServiceListDiagnosesResponse page;
    grpc::Status s = List("alice", request, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ++pages;
    for (const auto& d : page.diagnoses()) seconds.push_back(d.create_time().seconds());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty() && pages < 10);
  EXPECT_EQ(pages, 2);
  const int64_t t0 = absl::ToUnixSeconds(kDay0);
  EXPECT_EQ(seconds,
            (std::vector<int64_t>{t0 + 4 * 3600, t0 + 3 * 3600, t0 + 2 * 3600, t0 + 3600}));
}

TEST_F(HistoryServiceTest, BasicViewDropsRegionsAndFullKeepsThem) {
  const std::string id = RecordOk("alice", "k", kDay0, 2.0);
  v1::HistoryServiceListDiagnosesRequest request;
  v1::HistoryServiceListDiagnosesResponse basic;
  ASSERT_TRUE(List("alice", request, &basic).ok());  // UNSPECIFIED means BASIC for List.
  ASSERT_EQ(basic.diagnoses_size(), 1);
  EXPECT_EQ(basic.diagnoses(0).regions_size(), 0);
  EXPECT_EQ(basic.diagnoses(0).results_size(), 1);

  request.set_view(v1::DIAGNOSIS_VIEW_FULL);
  v1::HistoryServiceListDiagnosesResponse full;
  ASSERT_TRUE(List("alice", request, &full).ok());
  ASSERT_EQ(full.diagnoses_size(), 1);
  EXPECT_EQ(full.diagnoses(0).regions_size(), 1);

  grpc::ClientContext context;
  As("alice", &context);
  v1::HistoryServiceGetDiagnosisRequest get;
  get.set_diagnosis_id(id);
  v1::HistoryServiceGetDiagnosisResponse got;
  ASSERT_TRUE(stub_->GetDiagnosis(&context, get, &got).ok());  // UNSPECIFIED means FULL.
  EXPECT_EQ(got.diagnosis().regions_size(), 1);
  EXPECT_EQ(got.diagnosis().id(), id);
}

TEST_F(HistoryServiceTest, AnotherUsersRecordIsNotFound) {
  const std::string id = RecordOk("alice", "k", kDay0, 2.0);
  {
    grpc::ClientContext context;
    As("bob", &context);
    v1::HistoryServiceGetDiagnosisRequest get;
    get.set_diagnosis_id(id);
    v1::HistoryServiceGetDiagnosisResponse got;
    EXPECT_EQ(stub_->GetDiagnosis(&context, get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    As("bob", &context);
    v1::HistoryServiceDeleteDiagnosisRequest del;
    del.set_diagnosis_id(id);
    v1::HistoryServiceDeleteDiagnosisResponse out;
    EXPECT_EQ(stub_->DeleteDiagnosis(&context, del, &out).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    As("bob", &context);
    v1::HistoryServiceDeleteUserDataRequest del;
    v1::HistoryServiceDeleteUserDataResponse out;
    ASSERT_TRUE(stub_->DeleteUserData(&context, del, &out).ok());
    EXPECT_EQ(out.deleted_count(), 0);
  }
  {  // Alice's record survived; now she deletes it, and a retry with allow_missing succeeds.
    v1::HistoryServiceDeleteDiagnosisRequest del;
    del.set_diagnosis_id(id);
    v1::HistoryServiceDeleteDiagnosisResponse out;
    grpc::ClientContext c1;
    As("alice", &c1);
    EXPECT_TRUE(stub_->DeleteDiagnosis(&c1, del, &out).ok());
    grpc::ClientContext c2;
    As("alice", &c2);
    EXPECT_EQ(stub_->DeleteDiagnosis(&c2, del, &out).error_code(), grpc::StatusCode::NOT_FOUND);
    del.set_allow_missing(true);
    grpc::ClientContext c3;
    As("alice", &c3);
    EXPECT_TRUE(stub_->DeleteDiagnosis(&c3, del, &out).ok());
  }
}

TEST_F(HistoryServiceTest, DeleteUserDataCountsAndEmptiesTheHistory) {
  RecordOk("alice", "a", kDay0, 1.0);
  RecordOk("alice", "b", kDay0 + absl::Hours(1), 1.0);
  grpc::ClientContext context;
  As("alice", &context);
  v1::HistoryServiceDeleteUserDataRequest del;
  v1::HistoryServiceDeleteUserDataResponse out;
  ASSERT_TRUE(stub_->DeleteUserData(&context, del, &out).ok());
  EXPECT_EQ(out.deleted_count(), 2);
  v1::HistoryServiceListDiagnosesRequest request;
  v1::HistoryServiceListDiagnosesResponse page;
  ASSERT_TRUE(List("alice", request, &page).ok());
  EXPECT_EQ(page.diagnoses_size(), 0);
}

TEST_F(HistoryServiceTest, TrendHasOnePointPerDiagnosisWithoutBuckets) {
  const std::string a = RecordOk("alice", "a", kDay0, 1.0);
  const std::string b = RecordOk("alice", "b", kDay0 + absl::Hours(2), 3.0);
  v1::HistoryServiceGetTrendRequest request;
  request.add_attributes(v1::ATTRIBUTE_OIL);
  request.add_attributes(v1::ATTRIBUTE_WRINKLE);
  v1::HistoryServiceGetTrendResponse response;
  ASSERT_TRUE(Trend("alice", request, &response).ok());
  ASSERT_EQ(response.series_size(), 2);
  EXPECT_EQ(response.series(0).attribute(), v1::ATTRIBUTE_OIL);
  ASSERT_EQ(response.series(0).points_size(), 2);
  EXPECT_EQ(response.series(0).points(0).diagnosis_id(), a);
  EXPECT_EQ(response.series(0).points(1).diagnosis_id(), b);
  EXPECT_EQ(response.series(0).points(1).count(), 1);
  EXPECT_DOUBLE_EQ(response.series(0).points(1).mean_expected_score(), 3.0);
  EXPECT_EQ(response.series(1).attribute(), v1::ATTRIBUTE_WRINKLE);
  EXPECT_EQ(response.series(1).points_size(), 0);
  EXPECT_FALSE(response.truncated());

  request.clear_attributes();  // All five, in Attribute order.
  v1::HistoryServiceGetTrendResponse all;
  ASSERT_TRUE(Trend("alice", request, &all).ok());
  EXPECT_EQ(all.series_size(), 5);
}

TEST_F(HistoryServiceTest, TrendDayBucketsInUtcAndSeoul) {
  // 2024-06-03 10:00 and 20:00 UTC, 2024-06-04 01:00 UTC.
  RecordOk("alice", "a", kDay0 + absl::Hours(10), 1.0);
  RecordOk("alice", "b", kDay0 + absl::Hours(20), 2.0);
  RecordOk("alice", "c", kDay0 + absl::Hours(25), 4.0);
  v1::HistoryServiceGetTrendRequest request;
  request.add_attributes(v1::ATTRIBUTE_OIL);
  request.set_bucket(v1::TREND_BUCKET_DAY);
  v1::HistoryServiceGetTrendResponse utc;
  ASSERT_TRUE(Trend("alice", request, &utc).ok());
  ASSERT_EQ(utc.series(0).points_size(), 2);
  EXPECT_EQ(utc.series(0).points(0).count(), 2);
  EXPECT_DOUBLE_EQ(utc.series(0).points(0).mean_expected_score(), 1.5);
  EXPECT_DOUBLE_EQ(utc.series(0).points(0).min_expected_score(), 1.0);
  EXPECT_DOUBLE_EQ(utc.series(0).points(0).max_expected_score(), 2.0);
  EXPECT_EQ(utc.series(0).points(0).start_time().seconds(), absl::ToUnixSeconds(kDay0));
  EXPECT_EQ(utc.series(0).points(0).end_time().seconds(),
            absl::ToUnixSeconds(kDay0 + absl::Hours(24)));
  EXPECT_TRUE(utc.series(0).points(0).diagnosis_id().empty());
  EXPECT_EQ(utc.series(0).points(1).count(), 1);

  // In Seoul (UTC+9) 20:00 and 01:00 UTC fall on the same day, 06-04.
  request.set_time_zone("Asia/Seoul");
  v1::HistoryServiceGetTrendResponse seoul;
  ASSERT_TRUE(Trend("alice", request, &seoul).ok());
  ASSERT_EQ(seoul.series(0).points_size(), 2);
  EXPECT_EQ(seoul.series(0).points(0).count(), 1);
  EXPECT_EQ(seoul.series(0).points(1).count(), 2);
  EXPECT_DOUBLE_EQ(seoul.series(0).points(1).mean_expected_score(), 3.0);
  EXPECT_EQ(seoul.series(0).points(1).start_time().seconds(),
            absl::ToUnixSeconds(kDay0 + absl::Hours(15)));

  request.set_bucket(v1::TREND_BUCKET_MONTH);
  v1::HistoryServiceGetTrendResponse month;
  ASSERT_TRUE(Trend("alice", request, &month).ok());
  ASSERT_EQ(month.series(0).points_size(), 1);
  EXPECT_EQ(month.series(0).points(0).count(), 3);
}

TEST_F(HistoryServiceTest, TrendKeepsTheNewestPointsAndSaysTruncated) {
  for (int i = 0; i < 5; ++i) RecordOk("alice", absl::StrCat("k", i), kDay0 + absl::Hours(i), i);
  v1::HistoryServiceGetTrendRequest request;
  request.add_attributes(v1::ATTRIBUTE_OIL);
  v1::HistoryServiceGetTrendResponse response;
  ASSERT_TRUE(Trend("alice", request, &response).ok());
  EXPECT_TRUE(response.truncated());
  ASSERT_EQ(response.series(0).points_size(), 3);  // max_trend_points = 3.
  EXPECT_DOUBLE_EQ(response.series(0).points(0).mean_expected_score(), 2.0);
}

TEST_F(HistoryServiceTest, ExportIsCsvOldestFirstWithQuotedFields) {
  const std::string a = RecordOk("alice", "a", kDay0, 1.0);
  const std::string b = RecordOk("alice", "b", kDay0 + absl::Hours(1), 2.5);
  grpc::ClientContext context;
  As("alice", &context);
  v1::HistoryServiceExportDiagnosesRequest request;
  v1::HistoryServiceExportDiagnosesResponse response;
  ASSERT_TRUE(stub_->ExportDiagnoses(&context, request, &response).ok());
  EXPECT_EQ(response.content_type(), "text/csv; charset=utf-8");
  EXPECT_EQ(
      response.content(),
      absl::StrCat(
          "diagnosis_id,create_time,model_version,demo_model,attribute,grade,expected_score,"
          "abstained\r\n",
          a, ",2024-06-03T00:00:00+00:00,\"m1, \"\"beta\"\"\",false,ATTRIBUTE_OIL,1,1,false\r\n", b,
          ",2024-06-03T01:00:00+00:00,\"m1, \"\"beta\"\"\",false,ATTRIBUTE_OIL,3,2.5,false\r\n"));
}

TEST_F(HistoryServiceTest, InvalidRequestsNameTheField) {
  auto field_of = [](const grpc::Status& s) {
    auto bad = FindDetail<v1::BadRequest>(s);
    return bad && bad->field_violations_size() > 0 ? bad->field_violations(0).field()
                                                   : std::string("<none>");
  };
  v1::HistoryServiceRecordDiagnosisResponse recorded;
  grpc::Status s = Record("alice", "", MakeDiagnosis(kDay0, 1), &recorded);
  EXPECT_EQ(field_of(s), "idempotency_key");
  s = Record("alice", std::string(129, 'k'), MakeDiagnosis(kDay0, 1), &recorded);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(field_of(s), "idempotency_key");
  {
    grpc::ClientContext context;
    As("alice", &context);
    v1::HistoryServiceRecordDiagnosisRequest request;
    request.set_idempotency_key("k");
    EXPECT_EQ(field_of(stub_->RecordDiagnosis(&context, request, &recorded)), "diagnosis");
  }

  v1::HistoryServiceListDiagnosesRequest list;
  list.set_page_size(-1);
  v1::HistoryServiceListDiagnosesResponse page;
  EXPECT_EQ(field_of(List("alice", list, &page)), "page_size");
  list.set_page_size(0);
  SetTime(kDay0, list.mutable_start_time());
  SetTime(kDay0, list.mutable_end_time());
  EXPECT_EQ(field_of(List("alice", list, &page)), "start_time");
  list.clear_start_time();
  list.clear_end_time();
  list.set_page_token("not-a-token");
  EXPECT_EQ(List("alice", list, &page).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::HistoryServiceGetTrendRequest trend;
  trend.add_attributes(v1::ATTRIBUTE_OIL);
  trend.add_attributes(v1::ATTRIBUTE_OIL);
  v1::HistoryServiceGetTrendResponse points;
  EXPECT_EQ(field_of(Trend("alice", trend, &points)), "attributes[1]");
  trend.clear_attributes();
  trend.set_time_zone("Mars/Olympus_Mons");
  EXPECT_EQ(field_of(Trend("alice", trend, &points)), "time_zone");

  grpc::ClientContext context;
  As("alice", &context);
  v1::HistoryServiceGetDiagnosisRequest get;
  v1::HistoryServiceGetDiagnosisResponse got;
  EXPECT_EQ(field_of(stub_->GetDiagnosis(&context, get, &got)), "diagnosis_id");
}

TEST_F(HistoryServiceTest, CallsWithoutAValidUserAssertionAreRefusedAndChangeNothing) {
  RecordOk("alice", "a", kDay0, 1.0);
  const CallAssertionKey other = *CallAssertionKey::FromSecret(std::string(40, 'z'));
  const int64_t in_a_minute = absl::ToUnixSeconds(absl::Now() + absl::Minutes(1));
  // Claims for `method` (its name in HistoryService) acting for `user`.
  auto claims = [&](const std::string& method, const std::string& user, int64_t expiry) {
    return CallClaims{absl::StrCat("/skinlens.v1.HistoryService/", method), "", user, "", expiry};
  };
  struct Case {
    const char* what;
    std::function<void(grpc::ClientContext*, const std::string& method)> attach;
  };
  const std::vector<Case> cases = {
      {"no metadata", [](grpc::ClientContext*, const std::string&) {}},
      {"user id without assertion",
       [](grpc::ClientContext* c, const std::string&) {
         c->AddMetadata(kUserIdMetadataKey, "alice");
       }},
      {"signed with another secret",
       [&](grpc::ClientContext* c, const std::string& method) {
         AssertCall(other, claims(method, "alice", in_a_minute), c);
       }},
      {"no user in a valid assertion",
       [&](grpc::ClientContext* c, const std::string& method) {
         AssertCall(key_, claims(method, "", in_a_minute), c);
       }},
      {"bob's assertion presented for alice",
       [&](grpc::ClientContext* c, const std::string& method) {
         c->AddMetadata(kUserIdMetadataKey, "alice");
         c->AddMetadata(
             kCallAssertionMetadataKey,
             absl::StrCat(in_a_minute, ".", key_.Mac(claims(method, "bob", in_a_minute))));
       }},
      {"an assertion for another method",
       [&](grpc::ClientContext* c, const std::string&) {
         AssertCall(key_, claims("GetTrend", "alice", in_a_minute), c);
       }},
      {"an assertion for another request",
       [&](grpc::ClientContext* c, const std::string& method) {
         CallClaims other_request = claims(method, "alice", in_a_minute);
         other_request.request_id = "request-a";
         c->AddMetadata("x-request-id", "request-b");
         AssertCall(key_, other_request, c);
       }},
      {"expiry changed after signing",
       [&](grpc::ClientContext* c, const std::string& method) {
         c->AddMetadata(kUserIdMetadataKey, "alice");
         c->AddMetadata(
             kCallAssertionMetadataKey,
             absl::StrCat(in_a_minute + 3600, ".", key_.Mac(claims(method, "alice", in_a_minute))));
       }},
      {"expired",
       [&](grpc::ClientContext* c, const std::string& method) {
         AssertCall(
             key_, claims(method, "alice", absl::ToUnixSeconds(absl::Now() - absl::Minutes(2))), c);
       }},
      {"valid for longer than ten minutes",
       [&](grpc::ClientContext* c, const std::string& method) {
         AssertCall(key_,
                    claims(method, "alice", absl::ToUnixSeconds(absl::Now() + absl::Hours(1))), c);
       }},
      {"malformed",
       [](grpc::ClientContext* c, const std::string&) {
         c->AddMetadata(kUserIdMetadataKey, "alice");
         c->AddMetadata(kCallAssertionMetadataKey, "garbage");
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    grpc::ClientContext record_context;
    c.attach(&record_context, "RecordDiagnosis");
    v1::HistoryServiceRecordDiagnosisRequest record;
    record.set_idempotency_key("forged");
    *record.mutable_diagnosis() = MakeDiagnosis(kDay0 + absl::Hours(1), 4.0);
    v1::HistoryServiceRecordDiagnosisResponse recorded;
    EXPECT_EQ(unsigned_stub_->RecordDiagnosis(&record_context, record, &recorded).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    grpc::ClientContext delete_context;
    c.attach(&delete_context, "DeleteUserData");
    v1::HistoryServiceDeleteUserDataResponse deleted;
    EXPECT_EQ(unsigned_stub_->DeleteUserData(&delete_context, {}, &deleted).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    grpc::ClientContext list_context;
    c.attach(&list_context, "ListDiagnoses");
    v1::HistoryServiceListDiagnosesResponse listed;
    EXPECT_EQ(unsigned_stub_->ListDiagnoses(&list_context, {}, &listed).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(listed.diagnoses_size(), 0);
  }
  // The same claims through the signing channel are answered: the refusals
  // above were the assertions', not the requests'.
  grpc::ClientContext signed_context;
  As("alice", &signed_context);
  v1::HistoryServiceListDiagnosesResponse signed_list;
  EXPECT_TRUE(stub_->ListDiagnoses(&signed_context, {}, &signed_list).ok());
  // Alice's history is exactly what she recorded herself.
  v1::HistoryServiceListDiagnosesResponse page;
  ASSERT_TRUE(List("alice", {}, &page).ok());
  ASSERT_EQ(page.diagnoses_size(), 1);
  EXPECT_EQ(page.diagnoses(0).create_time().seconds(), absl::ToUnixSeconds(kDay0));
}

TEST_F(HistoryServiceTest, KeepsHeatmapThumbnailsWhenConfigured) {
  HistoryServiceOptions options;
  options.heatmap_thumbnail_px = 16;
  stub_.reset();
  runner_.reset();
  service_ = std::make_unique<HistoryService>(store_.get(), key_, options);
  StartServer();

  v1::Diagnosis d = MakeDiagnosis(kDay0, 2.0);
  v1::Heatmap* h = d.add_heatmaps();
  h->set_attribute(v1::ATTRIBUTE_OIL);
  h->set_width(64);
  h->set_height(48);
  h->set_values(std::string(64 * 48, '\x80'));
  h->set_overlay("png bytes");
  h->set_overlay_encoding(v1::IMAGE_ENCODING_PNG);
  v1::PhotoHeatmap* photo = d.mutable_photo_heatmaps(0);
  photo->set_width(32);
  photo->set_height(64);
  photo->set_scale(0.5f);
  photo->set_values(std::string(32 * 64, '\x10'));
  v1::HistoryServiceRecordDiagnosisResponse recorded;
  ASSERT_TRUE(Record("alice", "k", d, &recorded).ok());

  grpc::ClientContext context;
  As("alice", &context);
  v1::HistoryServiceGetDiagnosisRequest get;
  get.set_diagnosis_id(recorded.diagnosis().id());
  v1::HistoryServiceGetDiagnosisResponse got;
  ASSERT_TRUE(stub_->GetDiagnosis(&context, get, &got).ok());
  EXPECT_EQ(got.diagnosis().explanation_status(), v1::EXPLANATION_STATUS_THUMBNAILS);
  ASSERT_EQ(got.diagnosis().heatmaps_size(), 1);
  const v1::Heatmap& thumb = got.diagnosis().heatmaps(0);
  EXPECT_EQ(thumb.width(), 16);
  EXPECT_EQ(thumb.height(), 12);
  EXPECT_EQ(thumb.values(), std::string(16 * 12, '\x80'));
  EXPECT_TRUE(thumb.overlay().empty());
  ASSERT_EQ(got.diagnosis().photo_heatmaps_size(), 1);
  EXPECT_EQ(got.diagnosis().photo_heatmaps(0).width(), 8);
  EXPECT_EQ(got.diagnosis().photo_heatmaps(0).height(), 16);
  EXPECT_FLOAT_EQ(got.diagnosis().photo_heatmaps(0).scale(), 0.125f);
}

TEST_F(HistoryServiceTest, TrendWeekBucketsStartOnMonday) {
  // kDay0 is Monday 2024-06-03; Sunday 06-09 is the same ISO week, 06-10 the next.
  RecordOk("alice", "a", kDay0 + absl::Hours(1), 1.0);
  RecordOk("alice", "b", kDay0 + absl::Hours(6 * 24 + 23), 3.0);
  RecordOk("alice", "c", kDay0 + absl::Hours(7 * 24), 4.0);
  v1::HistoryServiceGetTrendRequest request;
  request.add_attributes(v1::ATTRIBUTE_OIL);
  request.set_bucket(v1::TREND_BUCKET_WEEK);
  v1::HistoryServiceGetTrendResponse response;
  ASSERT_TRUE(Trend("alice", request, &response).ok());
  ASSERT_EQ(response.series(0).points_size(), 2);
  EXPECT_EQ(response.series(0).points(0).count(), 2);
  EXPECT_DOUBLE_EQ(response.series(0).points(0).mean_expected_score(), 2.0);
  EXPECT_EQ(response.series(0).points(0).start_time().seconds(), absl::ToUnixSeconds(kDay0));
  EXPECT_EQ(response.series(0).points(1).start_time().seconds(),
            absl::ToUnixSeconds(kDay0 + absl::Hours(7 * 24)));
}

TEST_F(HistoryServiceTest, UnreachableDatabaseIsUnavailableWithRetryInfo) {
  Restart(&down_);
  v1::HistoryServiceRecordDiagnosisResponse response;
  grpc::Status s = Record("alice", "k", MakeDiagnosis(kDay0, 1.0), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  auto retry = FindDetail<v1::RetryInfo>(s);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 1);
}

}  // namespace
}  // namespace skinlens::history
