#include "common/storage/history_store_contract.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"

namespace skinlens::storage::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

const absl::Time kT0 = absl::FromUnixMicros(1'767'225'600'123'456);  // 2026-01-01, odd micros.

void SetTime(v1::Diagnosis& d, absl::Time t) {
  const int64_t us = absl::ToUnixMicros(t);
  d.mutable_create_time()->set_seconds(us / 1'000'000);
  d.mutable_create_time()->set_nanos(static_cast<int32_t>(us % 1'000'000) * 1000);
}

absl::Time TimeOf(const v1::Diagnosis& d) {
  return absl::FromUnixSeconds(d.create_time().seconds()) +
         absl::Nanoseconds(d.create_time().nanos());
}

// A diagnosis at `t` with oil and wrinkle results.
v1::Diagnosis Diag(absl::Time t, int oil_grade = 2, float oil_score = 1.75f,
                   const std::string& model = "demo-2026.01") {
  v1::Diagnosis d;
  SetTime(d, t);
  d.set_request_id("req");
  d.set_model_version(model);
  d.set_demo_model(true);
  v1::AttributeResult* oil = d.add_results();
  oil->set_attribute(v1::ATTRIBUTE_OIL);
  oil->mutable_distribution()->set_grade(oil_grade);
  oil->mutable_distribution()->set_expected_score(oil_score);
  for (float p : {0.1f, 0.2f, 0.4f, 0.2f, 0.1f}) oil->mutable_distribution()->add_probabilities(p);
  v1::AttributeResult* wrinkle = d.add_results();
  wrinkle->set_attribute(v1::ATTRIBUTE_WRINKLE);
  wrinkle->mutable_distribution()->set_grade(1);
  wrinkle->mutable_distribution()->set_expected_score(0.5f);
  v1::RegionResult* region = d.add_regions();
  region->set_region(v1::FACE_REGION_FOREHEAD);
  region->mutable_box()->set_width(40);
  d.set_photo_width(640);
  d.set_photo_height(480);
  return d;
}

std::vector<std::string> Ids(const DiagnosisPage& page) {
  std::vector<std::string> ids;
  for (const v1::Diagnosis& d : page.diagnoses) ids.push_back(d.id());
  return ids;
}

}  // namespace

void HistoryStoreContract::SetUp() {
  auto database = GetParam().make();
  ASSERT_TRUE(database.ok()) << database.status();
  database_ = std::move(*database);
  auto store = database_->OpenHistoryStore({});
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
}

TEST_P(HistoryStoreContract, RecordedDiagnosisReadsBackWhole) {
  const v1::Diagnosis input = Diag(kT0);
  auto recorded = store_->RecordDiagnosis("alice", "req-1", input);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_TRUE(recorded->created);
  EXPECT_EQ(recorded->diagnosis.id().size(), 32u);
  EXPECT_EQ(TimeOf(recorded->diagnosis), kT0);
  auto got = store_->GetDiagnosis("alice", recorded->diagnosis.id());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*got, recorded->diagnosis))
      << got->DebugString() << " vs " << recorded->diagnosis.DebugString();
  v1::Diagnosis expected = input;
  expected.set_id(got->id());
  EXPECT_TRUE(MessageDifferencer::Equals(*got, expected));
}

TEST_P(HistoryStoreContract, CreateTimeIsKeptToTheMicrosecondAndDefaultsToNow) {
  v1::Diagnosis d = Diag(kT0);
  d.mutable_create_time()->set_nanos(d.create_time().nanos() + 789);  // Below a microsecond.
  auto kept = store_->RecordDiagnosis("alice", "k1", d);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(TimeOf(kept->diagnosis), kT0);
  const absl::Time before = absl::Now() - absl::Microseconds(1);
  d.clear_create_time();
  auto now = store_->RecordDiagnosis("alice", "k2", d);
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_GE(TimeOf(now->diagnosis), before);
  EXPECT_LE(TimeOf(now->diagnosis), absl::Now());
}

TEST_P(HistoryStoreContract, RetryWithTheSameKeyReturnsTheFirstRecord) {
  auto first = store_->RecordDiagnosis("alice", "req-1", Diag(kT0, 2));
  ASSERT_TRUE(first.ok()) << first.status();
  auto retry = store_->RecordDiagnosis("alice", "req-1", Diag(kT0 + absl::Hours(1), 4));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_FALSE(retry->created);
  EXPECT_EQ(retry->diagnosis.id(), first->diagnosis.id());
  EXPECT_EQ(retry->diagnosis.results(0).distribution().grade(), 2);  // The first one's.
  auto page = store_->ListDiagnoses("alice", {});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->diagnoses.size(), 1u);
  auto trend = store_->Trend("alice", v1::ATTRIBUTE_OIL, {});
  ASSERT_TRUE(trend.ok()) << trend.status();
  EXPECT_EQ(trend->size(), 1u);
}

TEST_P(HistoryStoreContract, TheSameKeyOfAnotherUserIsAnotherRecord) {
  auto a = store_->RecordDiagnosis("alice", "req-1", Diag(kT0));
  auto b = store_->RecordDiagnosis("bob", "req-1", Diag(kT0));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(b->created);
  EXPECT_NE(a->diagnosis.id(), b->diagnosis.id());
}

TEST_P(HistoryStoreContract, ConcurrentDuplicatesStoreOneRecord) {
  constexpr int kThreads = 8;
  std::vector<absl::StatusOr<RecordedDiagnosis>> results(kThreads);
  std::vector<std::thread> threads;
  std::atomic<bool> go{false};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      results[i] = store_->RecordDiagnosis("alice", "burst", Diag(kT0 + absl::Seconds(i)));
    });
  }
  go = true;
  for (std::thread& t : threads) t.join();
  int created = 0;
  std::set<std::string> ids;
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(results[i].ok()) << "caller " << i << ": " << results[i].status();
    created += results[i]->created ? 1 : 0;
    ids.insert(results[i]->diagnosis.id());
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(ids.size(), 1u);
  auto page = store_->ListDiagnoses("alice", {});
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->diagnoses.size(), 1u);
  EXPECT_EQ(page->diagnoses[0].id(), *ids.begin());
}

TEST_P(HistoryStoreContract, PagingReturnsEachRecordOnceNewestFirstDespiteInserts) {
  std::vector<std::string> expected;  // Newest first.
  for (int i = 0; i < 25; ++i) {
    // Two records share each time, so the id breaks ties.
    auto r =
        store_->RecordDiagnosis("alice", absl::StrCat("k", i), Diag(kT0 + absl::Minutes(i / 2)));
    ASSERT_TRUE(r.ok()) << r.status();
    expected.push_back(r->diagnosis.id());
  }
  ASSERT_TRUE(store_->RecordDiagnosis("bob", "k0", Diag(kT0)).ok());
  // Expected order: time descending, then id descending.
  std::vector<std::pair<int64_t, std::string>> keyed;
  for (int i = 0; i < 25; ++i)
    keyed.push_back({absl::ToUnixMicros(kT0 + absl::Minutes(i / 2)), expected[i]});
  std::sort(keyed.rbegin(), keyed.rend());
  expected.clear();
  for (const auto& [t, id] : keyed) expected.push_back(id);

  std::vector<std::string> seen;
  ListRequest request;
  request.page_size = 10;
  std::vector<size_t> sizes;
  for (int page_number = 0; page_number < 5; ++page_number) {
    auto page = store_->ListDiagnoses("alice", request);
    ASSERT_TRUE(page.ok()) << page.status();
    sizes.push_back(page->diagnoses.size());
    for (const std::string& id : Ids(*page)) seen.push_back(id);
    if (page_number == 0) {  // A new record arrives between pages.
      ASSERT_TRUE(store_->RecordDiagnosis("alice", "late", Diag(kT0 + absl::Hours(5))).ok());
    }
    if (page->next_page_token.empty()) break;
    request.page_token = page->next_page_token;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{10, 10, 5}));
  EXPECT_EQ(seen, expected);
}

TEST_P(HistoryStoreContract, ListHonoursTheTimeRangeAndPageSizeDefaults) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        store_->RecordDiagnosis("alice", absl::StrCat("k", i), Diag(kT0 + absl::Hours(i))).ok());
  }
  ListRequest request;
  request.range = {kT0 + absl::Hours(1), kT0 + absl::Hours(3)};  // [1h, 3h): records 1 and 2.
  auto page = store_->ListDiagnoses("alice", request);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->diagnoses.size(), 2u);
  EXPECT_EQ(TimeOf(page->diagnoses[0]), kT0 + absl::Hours(2));
  EXPECT_EQ(TimeOf(page->diagnoses[1]), kT0 + absl::Hours(1));
  EXPECT_TRUE(page->next_page_token.empty());
}

TEST_P(HistoryStoreContract, BadPageTokensAndRangesAreInvalidArgument) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        store_->RecordDiagnosis("alice", absl::StrCat("k", i), Diag(kT0 + absl::Hours(i))).ok());
  }
  ListRequest request;
  request.page_size = 1;
  auto first = store_->ListDiagnoses("alice", request);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(first->next_page_token.empty());
  for (const std::string& token : {std::string("garbage"), std::string("h1.!!!"),
                                   std::string("' OR 1=1 --"), first->next_page_token + "x"}) {
    request.page_token = token;
    EXPECT_EQ(store_->ListDiagnoses("alice", request).status().code(),
              absl::StatusCode::kInvalidArgument)
        << token;
  }
  request.page_token = first->next_page_token;
  EXPECT_EQ(store_->ListDiagnoses("bob", request).status().code(),
            absl::StatusCode::kInvalidArgument);  // Issued for another user.
  ListRequest other_range = request;
  other_range.range.start = kT0;
  EXPECT_EQ(store_->ListDiagnoses("alice", other_range).status().code(),
            absl::StatusCode::kInvalidArgument);  // Issued for another range.
  ListRequest negative;
  negative.page_size = -1;
  EXPECT_EQ(store_->ListDiagnoses("alice", negative).status().code(),
            absl::StatusCode::kInvalidArgument);
  ListRequest empty_range;
  empty_range.range = {kT0, kT0};
  EXPECT_EQ(store_->ListDiagnoses("alice", empty_range).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Trend("alice", v1::ATTRIBUTE_OIL, {kT0, kT0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Trend("alice", v1::ATTRIBUTE_UNSPECIFIED, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(HistoryStoreContract, AnotherUsersRecordsAreNotFoundAndUntouched) {
  auto a = store_->RecordDiagnosis("alice", "k", Diag(kT0));
  ASSERT_TRUE(a.ok()) << a.status();
  const std::string id = a->diagnosis.id();
  EXPECT_EQ(store_->GetDiagnosis("bob", id).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->GetDiagnosis("bob", "no-such-id").status().code(),
            absl::StatusCode::kNotFound);  // Same answer as for a missing one.
  EXPECT_EQ(store_->DeleteDiagnosis("bob", id).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store_->ListDiagnoses("bob", {})->diagnoses.empty());
  EXPECT_TRUE(store_->Trend("bob", v1::ATTRIBUTE_OIL, {})->empty());
  EXPECT_EQ(*store_->DeleteUserData("bob"), 0);
  EXPECT_TRUE(store_->GetDiagnosis("alice", id).ok());
  EXPECT_EQ(store_->Trend("alice", v1::ATTRIBUTE_OIL, {})->size(), 1u);
}

TEST_P(HistoryStoreContract, DeleteDiagnosisRemovesItAndItsTrendPoints) {
  auto keep = store_->RecordDiagnosis("alice", "k1", Diag(kT0));
  auto gone = store_->RecordDiagnosis("alice", "k2", Diag(kT0 + absl::Hours(1)));
  ASSERT_TRUE(keep.ok() && gone.ok());
  ASSERT_TRUE(store_->DeleteDiagnosis("alice", gone->diagnosis.id()).ok());
  EXPECT_EQ(store_->GetDiagnosis("alice", gone->diagnosis.id()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteDiagnosis("alice", gone->diagnosis.id()).code(),
            absl::StatusCode::kNotFound);
  auto trend = store_->Trend("alice", v1::ATTRIBUTE_OIL, {});
  ASSERT_TRUE(trend.ok()) << trend.status();
  ASSERT_EQ(trend->size(), 1u);
  EXPECT_EQ((*trend)[0].diagnosis_id, keep->diagnosis.id());
}

TEST_P(HistoryStoreContract, DeleteUserDataRemovesOnlyThatUsersRecords) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->RecordDiagnosis("alice", absl::StrCat("k", i), Diag(kT0)).ok());
  }
  ASSERT_TRUE(store_->RecordDiagnosis("bob", "k0", Diag(kT0)).ok());
  auto deleted = store_->DeleteUserData("alice");
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 3);
  EXPECT_TRUE(store_->ListDiagnoses("alice", {})->diagnoses.empty());
  EXPECT_TRUE(store_->Trend("alice", v1::ATTRIBUTE_WRINKLE, {})->empty());
  EXPECT_EQ(store_->ListDiagnoses("bob", {})->diagnoses.size(), 1u);
  EXPECT_EQ(*store_->DeleteUserData("alice"), 0);  // Idempotent.
  // A key of deleted data may be used again.
  EXPECT_TRUE(store_->RecordDiagnosis("alice", "k0", Diag(kT0))->created);
}

TEST_P(HistoryStoreContract, TrendHasEachDiagnosisOldestFirstWithinTheRange) {
  // Recorded out of order, so only the query orders them.
  const std::vector<std::tuple<int, int, float>> rows = {
      {3, 4, 3.5f}, {1, 1, 0.75f}, {2, 2, 2.25f}, {0, 0, 0.125f}};
  for (const auto& [hour, grade, score] : rows) {
    ASSERT_TRUE(store_
                    ->RecordDiagnosis("alice", absl::StrCat("k", hour),
                                      Diag(kT0 + absl::Hours(hour), grade, score))
                    .ok());
  }
  auto trend =
      store_->Trend("alice", v1::ATTRIBUTE_OIL, {kT0 + absl::Hours(1), kT0 + absl::Hours(3)});
  ASSERT_TRUE(trend.ok()) << trend.status();
  ASSERT_EQ(trend->size(), 2u);
  EXPECT_EQ((*trend)[0].time, kT0 + absl::Hours(1));
  EXPECT_EQ((*trend)[0].grade, 1);
  EXPECT_DOUBLE_EQ((*trend)[0].expected_score, 0.75);
  EXPECT_EQ((*trend)[1].time, kT0 + absl::Hours(2));
  EXPECT_EQ((*trend)[1].grade, 2);
  EXPECT_DOUBLE_EQ((*trend)[1].expected_score, 2.25);
  auto all = store_->Trend("alice", v1::ATTRIBUTE_OIL, {});
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ(all->front().time, kT0);
  EXPECT_EQ(all->back().grade, 4);
  auto wrinkle = store_->Trend("alice", v1::ATTRIBUTE_WRINKLE, {});
  ASSERT_EQ(wrinkle->size(), 4u);
  EXPECT_DOUBLE_EQ((*wrinkle)[0].expected_score, 0.5);
  EXPECT_TRUE(store_->Trend("alice", v1::ATTRIBUTE_PIGMENTATION, {})->empty());
}

// "Cannot estimate": an abstained attribute is kept in the stored diagnosis
// but has no trend point; the other attributes of the same photo do.
TEST_P(HistoryStoreContract, AbstainedAttributesStayOffTheTrend) {
  v1::Diagnosis unsure = Diag(kT0 + absl::Hours(1), 3, 3.0f);
  unsure.mutable_results(0)->set_abstained(true);
  unsure.mutable_results(0)->set_abstain_reason("confidence 0.30 is below 0.50");
  ASSERT_TRUE(store_->RecordDiagnosis("alice", "k-sure", Diag(kT0, 1, 1.0f)).ok());
  absl::StatusOr<RecordedDiagnosis> recorded = store_->RecordDiagnosis("alice", "k-unsure", unsure);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  auto oil = store_->Trend("alice", v1::ATTRIBUTE_OIL, {});
  ASSERT_TRUE(oil.ok()) << oil.status();
  ASSERT_EQ(oil->size(), 1u);
  EXPECT_EQ((*oil)[0].time, kT0);
  EXPECT_EQ(store_->Trend("alice", v1::ATTRIBUTE_WRINKLE, {})->size(), 2u);
  auto stored = store_->GetDiagnosis("alice", recorded->diagnosis.id());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(stored->results(0).abstained());
  EXPECT_EQ(stored->results(0).abstain_reason(), "confidence 0.30 is below 0.50");
}

TEST_P(HistoryStoreContract, AnInterruptedWriteLeavesNothing) {
  HistoryStoreOptions failing;
  failing.fault_after_first_write_for_testing = [] {
    return absl::UnavailableError("injected failure after the first write");
  };
  auto faulty = database_->OpenHistoryStore(failing);
  ASSERT_TRUE(faulty.ok()) << faulty.status();
  auto lost = (*faulty)->RecordDiagnosis("alice", "req-1", Diag(kT0));
  EXPECT_EQ(lost.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(store_->ListDiagnoses("alice", {})->diagnoses.empty());
  EXPECT_TRUE(store_->Trend("alice", v1::ATTRIBUTE_OIL, {})->empty());
  // The retry stores it for the first time.
  auto retry = store_->RecordDiagnosis("alice", "req-1", Diag(kT0));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->created);
  EXPECT_EQ(store_->Trend("alice", v1::ATTRIBUTE_OIL, {})->size(), 1u);
}

TEST_P(HistoryStoreContract, InvalidRecordsAreRefusedAndStoreNothing) {
  EXPECT_EQ(store_->RecordDiagnosis("", "k", Diag(kT0)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->RecordDiagnosis("alice", "", Diag(kT0)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->RecordDiagnosis("alice", std::string(129, 'k'), Diag(kT0)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->RecordDiagnosis("alice", std::string(128, 'k'), Diag(kT0)).ok());
  v1::Diagnosis repeated = Diag(kT0);
  *repeated.add_results() = repeated.results(0);
  EXPECT_EQ(store_->RecordDiagnosis("alice", "r", repeated).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::Diagnosis unspecified = Diag(kT0);
  unspecified.mutable_results(0)->set_attribute(v1::ATTRIBUTE_UNSPECIFIED);
  EXPECT_EQ(store_->RecordDiagnosis("alice", "u", unspecified).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->ListDiagnoses("alice", {})->diagnoses.size(), 1u);
}

TEST_P(HistoryStoreContract, HostileStringsAreStoredLiterally) {
  const std::string user = "alice'); DROP TABLE diagnoses; --";
  const std::string key = "' OR '1'='1 \\ $1 ? %s \xe2\x9c\x93";
  v1::Diagnosis d = Diag(kT0, 2, 1.75f, "v1'; DELETE FROM diagnoses; --");
  d.set_explanation_error(std::string("nul\0byte", 8));
  auto recorded = store_->RecordDiagnosis(user, key, d);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  auto got = store_->GetDiagnosis(user, recorded->diagnosis.id());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->model_version(), d.model_version());
  EXPECT_EQ(got->explanation_error(), std::string("nul\0byte", 8));
  EXPECT_FALSE(store_->RecordDiagnosis(user, key, Diag(kT0))->created);
  EXPECT_TRUE(store_->ListDiagnoses("alice", {})->diagnoses.empty());
}

TEST_P(HistoryStoreContract, ReopeningKeepsRecords) {
  auto r = store_->RecordDiagnosis("alice", "k", Diag(kT0));
  ASSERT_TRUE(r.ok()) << r.status();
  auto again = database_->OpenHistoryStore({});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)->GetDiagnosis("alice", r->diagnosis.id()).ok());
}

}  // namespace skinlens::storage::testing
