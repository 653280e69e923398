// Capture sessions of the HTTP front: a session keeps a stream's state
// across separate requests (streak, stillness, numbering), belongs to its
// user, answers a frame that overlaps the previous one `skipped`, ends when
// idle, and holds a guidance slot until it ends.
#include "services/gateway/capture_sessions.h"

#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace skinlens::gateway {
namespace {

using Assessment = v1::PreprocessServiceAssessFrameResponse;

// A judge that accepts every frame but "dark", with the face in one place.
absl::StatusOr<Assessment> Judge(const v1::GuideCaptureRequest& frame) {
  Assessment a;
  a.set_frame_width(640);
  a.set_frame_height(480);
  v1::RegionBox* box = a.mutable_face()->mutable_box();
  box->set_center_x(320);
  box->set_center_y(240);
  box->set_width(200);
  box->set_height(200);
  a.mutable_quality()->set_accepted(frame.image() != "dark");
  return a;
}

v1::GuideCaptureRequest Frame(const std::string& image, int64_t second = 0) {
  v1::GuideCaptureRequest frame;
  frame.set_image(image);
  frame.mutable_capture_time()->set_seconds(second);
  return frame;
}

// A clock the test moves.
struct FakeClock {
  absl::Time now = absl::FromUnixSeconds(1'000'000);
  CaptureSessions::Clock clock() {
    return [this] { return now; };
  }
};

CaptureGuideOptions Options() {
  CaptureGuideOptions options;
  options.ready_frames = 3;
  options.max_streams = 3;
  options.idle_timeout = absl::Seconds(30);
  return options;
}

TEST(CaptureSessions, FramesPostedOneByOneGetAStreamsAnswersInOrder) {
  GuidanceSlots slots(3);
  CaptureSessions sessions(Options(), &slots);
  absl::StatusOr<v1::CaptureSession> opened = sessions.Open("ann");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->ready_frames(), 3);
  EXPECT_EQ(opened->idle_timeout().seconds(), 30);
  const std::string& id = opened->capture_session_id();
  const char* frames[] = {"dark", "good", "good", "good"};
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<v1::GuideCaptureResponse> answer =
        sessions.Judge(id, "ann", Frame(frames[i], 100 + i), Judge);
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->frame_index(), i);
    EXPECT_EQ(answer->capture_time().seconds(), 100 + i);
    EXPECT_EQ(answer->ready(), i > 0) << i;
    EXPECT_EQ(answer->ready_streak(), i) << i;
    // The streak lives in the session: the third good request says capture now.
    EXPECT_EQ(answer->capture_now(), i == 3) << i;
  }
}

TEST(CaptureSessions, ASessionIsItsOwnersOnly) {
  GuidanceSlots slots(3);
  CaptureSessions sessions(Options(), &slots);
  absl::StatusOr<v1::CaptureSession> opened = sessions.Open("ann");
  ASSERT_TRUE(opened.ok());
  const std::string& id = opened->capture_session_id();
  EXPECT_EQ(sessions.Judge(id, "bob", Frame("good"), Judge).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(sessions.Close(id, "bob").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(sessions.Judge("cs-unknown", "ann", Frame("good"), Judge).status().code(),
            absl::StatusCode::kNotFound);
  // Bob's attempts changed nothing: Ann's session still answers, from frame 0.
  absl::StatusOr<v1::GuideCaptureResponse> answer = sessions.Judge(id, "ann", Frame("good"), Judge);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->frame_index(), 0);
}

TEST(CaptureSessions, AFrameWhileThePreviousIsJudgedIsSkippedAndNumbered) {
  GuidanceSlots slots(3);
  CaptureSessions sessions(Options(), &slots);
  const std::string id = sessions.Open("ann")->capture_session_id();
  absl::Notification judging, release;
  auto slow = [&](const v1::GuideCaptureRequest& frame) {
    judging.Notify();
    release.WaitForNotification();
    return Judge(frame);
  };
  absl::StatusOr<v1::GuideCaptureResponse> first;
  std::thread t([&] { first = sessions.Judge(id, "ann", Frame("good", 1), slow); });
  judging.WaitForNotification();
  absl::StatusOr<v1::GuideCaptureResponse> second =
      sessions.Judge(id, "ann", Frame("good", 2), Judge);
  release.Notify();
  t.join();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_FALSE(first->skipped());
  EXPECT_EQ(first->frame_index(), 0);
  EXPECT_TRUE(second->skipped());
  EXPECT_EQ(second->frame_index(), 1);
  EXPECT_EQ(second->capture_time().seconds(), 2);
  // The skipped frame did not count towards the streak.
  absl::StatusOr<v1::GuideCaptureResponse> third = sessions.Judge(id, "ann", Frame("good"), Judge);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->frame_index(), 2);
  EXPECT_EQ(third->ready_streak(), 2);
}

TEST(CaptureSessions, AnIdleSessionEndsAndItsSlotIsFree) {
  FakeClock clock;
  GuidanceSlots slots(1);
  CaptureSessions sessions(Options(), &slots, clock.clock());
  const std::string id = sessions.Open("ann")->capture_session_id();
  EXPECT_EQ(sessions.Open("bob").status().code(), absl::StatusCode::kResourceExhausted);
  clock.now += absl::Seconds(20);
  ASSERT_TRUE(sessions.Judge(id, "ann", Frame("good"), Judge).ok());  // Still alive: in use.
  clock.now += absl::Seconds(29);
  EXPECT_EQ(sessions.Open("bob").status().code(), absl::StatusCode::kResourceExhausted);
  clock.now += absl::Seconds(2);  // 31 s since Ann's last frame.
  absl::StatusOr<v1::CaptureSession> bobs = sessions.Open("bob");
  ASSERT_TRUE(bobs.ok()) << bobs.status();
  EXPECT_EQ(sessions.Judge(id, "ann", Frame("good"), Judge).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(sessions.size(), 1);
}

TEST(CaptureSessions, ClosingFreesTheSlotAndEndsTheSession) {
  GuidanceSlots slots(1);
  CaptureSessions sessions(Options(), &slots);
  const std::string id = sessions.Open("ann")->capture_session_id();
  EXPECT_EQ(sessions.Open("bob").status().code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(sessions.Close(id, "ann").ok());
  EXPECT_EQ(sessions.Judge(id, "ann", Frame("good"), Judge).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(sessions.Close(id, "ann").code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(sessions.Open("bob").ok());
}

TEST(CaptureSessions, AUsersThirdSessionEndsTheOldestNotAnotherUsers) {
  FakeClock clock;
  GuidanceSlots slots(3);
  CaptureSessions sessions(Options(), &slots, clock.clock());
  const std::string bobs = sessions.Open("bob")->capture_session_id();
  clock.now += absl::Seconds(1);
  const std::string first = sessions.Open("ann")->capture_session_id();
  clock.now += absl::Seconds(1);
  const std::string second = sessions.Open("ann")->capture_session_id();
  clock.now += absl::Seconds(1);
  // All three slots are taken, yet Ann's reload gets a session: her oldest ends.
  absl::StatusOr<v1::CaptureSession> third = sessions.Open("ann");
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(sessions.Judge(first, "ann", Frame("good"), Judge).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(sessions.Judge(second, "ann", Frame("good"), Judge).ok());
  EXPECT_TRUE(sessions.Judge(bobs, "bob", Frame("good"), Judge).ok());
  EXPECT_EQ(sessions.size(), 3);
}

TEST(CaptureSessions, ASessionClosedWhileAFrameIsJudgedAnswersItThenFreesTheSlot) {
  GuidanceSlots slots(1);
  CaptureSessions sessions(Options(), &slots);
  const std::string id = sessions.Open("ann")->capture_session_id();
  absl::Notification judging, release;
  auto slow = [&](const v1::GuideCaptureRequest& frame) {
    judging.Notify();
    release.WaitForNotification();
    return Judge(frame);
  };
  absl::StatusOr<v1::GuideCaptureResponse> answer;
  std::thread t([&] { answer = sessions.Judge(id, "ann", Frame("good"), slow); });
  judging.WaitForNotification();
  ASSERT_TRUE(sessions.Close(id, "ann").ok());
  // The frame in progress still holds the slot.
  EXPECT_EQ(sessions.Open("bob").status().code(), absl::StatusCode::kResourceExhausted);
  release.Notify();
  t.join();
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(answer->ready());
  EXPECT_TRUE(sessions.Open("bob").ok());
}

}  // namespace
}  // namespace skinlens::gateway
