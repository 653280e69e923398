// Capture guidance without gRPC: the answers CaptureGuide makes of a series of
// judged frames (streaks, stillness, capture_now, errors), the stream slots,
// and GuideStream's ordering, skipping, idle and backpressure rules driven by
// scripted reads and a judge the test releases frame by frame.
#include "services/gateway/capture_guide.h"

#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/grpc/rich_status.h"
#include "gtest/gtest.h"
#include "services/gateway/guide_stream.h"

namespace skinlens::gateway {
namespace {

using Assessment = v1::PreprocessServiceAssessFrameResponse;

// A judged frame: the face's centre at (x, 200), 160 px wide, and the gate's
// verdict (TOO_DARK when not accepted).
Assessment Judged(bool accepted, double x = 320) {
  Assessment a;
  a.set_frame_width(640);
  a.set_frame_height(480);
  v1::RegionBox* box = a.mutable_face()->mutable_box();
  box->set_center_x(static_cast<float>(x));
  box->set_center_y(200);
  box->set_width(160);
  box->set_height(160);
  a.mutable_quality()->set_accepted(accepted);
  if (!accepted) {
    v1::QualityIssue* issue = a.mutable_quality()->add_issues();
    issue->set_reason(v1::QUALITY_REASON_TOO_DARK);
    issue->set_severity(v1::QUALITY_SEVERITY_BLOCKING);
  }
  return a;
}

bool Has(const v1::GuideCaptureResponse& answer, v1::QualityReason reason) {
  for (const v1::QualityIssue& issue : answer.issues()) {
    if (issue.reason() == reason) return true;
  }
  return false;
}

TEST(CaptureGuide, DarkThenGoodFramesGiveReadyThenCaptureNowAfterTheStreak) {
  CaptureGuideOptions options;
  options.ready_frames = 3;
  CaptureGuide guide(options);
  google::protobuf::Timestamp t;
  t.set_seconds(100);
  const v1::GuideCaptureResponse dark = guide.Judge(0, t, Judged(false));
  EXPECT_FALSE(dark.ready());
  EXPECT_EQ(dark.ready_streak(), 0);
  EXPECT_TRUE(Has(dark, v1::QUALITY_REASON_TOO_DARK));
  EXPECT_EQ(dark.capture_time().seconds(), 100);
  EXPECT_EQ(dark.frame_width(), 640);
  std::vector<bool> capture_now;
  for (int i = 1; i <= 4; ++i) {
    const v1::GuideCaptureResponse good = guide.Judge(i, t, Judged(true));
    EXPECT_TRUE(good.ready());
    EXPECT_EQ(good.ready_streak(), i);
    EXPECT_EQ(good.frame_index(), i);
    capture_now.push_back(good.capture_now());
  }
  EXPECT_EQ(capture_now, (std::vector<bool>{false, false, true, true}));
  // A dark frame starts the streak again.
  EXPECT_FALSE(guide.Judge(5, t, Judged(false)).capture_now());
  EXPECT_EQ(guide.Judge(6, t, Judged(true)).ready_streak(), 1);
}

TEST(CaptureGuide, AMovingFaceIsReadyButNeverCaptured) {
  CaptureGuideOptions options;
  options.ready_frames = 2;
  options.max_face_movement = 0.08;  // Of the 160 px face: 12.8 px.
  CaptureGuide guide(options);
  const google::protobuf::Timestamp t;
  guide.Judge(0, t, Judged(true, 300));
  const v1::GuideCaptureResponse moving = guide.Judge(1, t, Judged(true, 330));  // 30 px.
  EXPECT_TRUE(moving.ready());
  EXPECT_FALSE(moving.capture_now());
  ASSERT_TRUE(Has(moving, v1::QUALITY_REASON_FACE_MOVING));
  const v1::QualityIssue& issue = moving.issues(moving.issues_size() - 1);
  EXPECT_EQ(issue.severity(), v1::QUALITY_SEVERITY_WARNING);
  EXPECT_NEAR(issue.measured_value(), 30.0 / 160, 1e-6);
  EXPECT_EQ(issue.threshold(), 0.08);
  const v1::GuideCaptureResponse still = guide.Judge(2, t, Judged(true, 335));  // 5 px.
  EXPECT_FALSE(Has(still, v1::QUALITY_REASON_FACE_MOVING));
  EXPECT_TRUE(still.capture_now());
}

TEST(CaptureGuide, AnUnreadableFrameCarriesItsErrorAndEndsTheStreak) {
  CaptureGuide guide(CaptureGuideOptions{});
  const google::protobuf::Timestamp t;
  guide.Judge(0, t, Judged(true));
  guide.Judge(1, t, Judged(true));
  v1::QualityReport report;
  report.add_issues()->set_reason(v1::QUALITY_REASON_IMAGE_TOO_LARGE);
  const v1::GuideCaptureResponse broken =
      guide.Judge(2, t, WithDetails(absl::InvalidArgumentError("frame too large"), {&report}));
  EXPECT_EQ(broken.error().code(), static_cast<int>(absl::StatusCode::kInvalidArgument));
  ASSERT_EQ(broken.error().details_size(), 1);
  v1::QualityReport why;
  ASSERT_TRUE(broken.error().details(0).UnpackTo(&why));
  EXPECT_EQ(why.issues(0).reason(), v1::QUALITY_REASON_IMAGE_TOO_LARGE);
  EXPECT_FALSE(broken.ready());
  EXPECT_EQ(guide.Judge(3, t, Judged(true)).ready_streak(), 1);
}

TEST(GuidanceSlots, BeyondTheMaximumIsResourceExhaustedWithARetryDelay) {
  GuidanceSlots slots(2);
  auto a = slots.Acquire();
  auto b = slots.Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = slots.Acquire();
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetryDelayOf(c.status()), absl::Seconds(1));
  { auto released = std::move(*a); }
  EXPECT_TRUE(slots.Acquire().ok());
}

// A scripted client and a judge the test controls.
class ScriptedStream {
 public:
  explicit ScriptedStream(int frames) : frames_(frames) {}

  GuideStreamIo Io() {
    GuideStreamIo io;
    io.read = [this](v1::GuideCaptureRequest* frame) {
      absl::MutexLock lock(&mu_);
      ++reads_;
      mu_.Await(absl::Condition(
          +[](ScriptedStream* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->released_ > s->sent_ || s->cancelled_ || s->sent_ == s->frames_;
          },
          this));
      if (cancelled_ || sent_ == frames_) return false;
      frame->mutable_capture_time()->set_seconds(sent_++);
      return true;
    };
    io.write = [this](const v1::GuideCaptureResponse& answer) {
      absl::MutexLock lock(&mu_);
      answers_.push_back(answer);
      return true;
    };
    io.assess = [this](const v1::GuideCaptureRequest& frame) -> absl::StatusOr<Assessment> {
      absl::MutexLock lock(&mu_);
      judging_.push_back(frame.capture_time().seconds());
      mu_.Await(absl::Condition(
          +[](ScriptedStream* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->judged_allowed_ >= static_cast<int>(s->judging_.size());
          },
          this));
      return Judged(true);
    };
    io.cancel = [this] {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
    };
    return io;
  }

  // Lets the client send frames up to `count` in all.
  void Send(int count) {
    absl::MutexLock lock(&mu_);
    released_ = count;
  }
  // Lets the judge finish its `count`th frame.
  void AllowJudged(int count) {
    absl::MutexLock lock(&mu_);
    judged_allowed_ = count;
  }
  // Waits until the client's `count`th frame has been taken in and the
  // stream is reading again (for the next one).
  void AwaitTakenIn(int count) {
    absl::MutexLock lock(&mu_);
    std::pair<ScriptedStream*, int> arg(this, count + 1);
    mu_.Await(absl::Condition(
        +[](std::pair<ScriptedStream*, int>* p)
             ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->first->mu_) { return p->first->reads_ >= p->second; },
        &arg));
  }
  // Waits until the judge has been handed `count` frames.
  void AwaitJudging(int count) {
    absl::MutexLock lock(&mu_);
    std::pair<ScriptedStream*, int> arg(this, count);
    mu_.Await(absl::Condition(
        +[](std::pair<ScriptedStream*, int>* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->first->mu_) {
          return static_cast<int>(p->first->judging_.size()) >= p->second;
        },
        &arg));
  }
  std::vector<v1::GuideCaptureResponse> answers() {
    absl::MutexLock lock(&mu_);
    return answers_;
  }
  std::vector<int64_t> judged() {
    absl::MutexLock lock(&mu_);
    return judging_;
  }

 private:
  absl::Mutex mu_;
  const int frames_;
  int released_ ABSL_GUARDED_BY(mu_) = 0;
  int sent_ ABSL_GUARDED_BY(mu_) = 0;
  int reads_ ABSL_GUARDED_BY(mu_) = 0;  // Calls of read, the waiting one included.
  int judged_allowed_ ABSL_GUARDED_BY(mu_) = 0;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<int64_t> judging_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::GuideCaptureResponse> answers_ ABSL_GUARDED_BY(mu_);
};

TEST(GuideStream, AFastSenderGetsTheNewestFrameJudgedAndTheRestSkippedInOrder) {
  ScriptedStream client(5);
  GuideStream stream(CaptureGuideOptions{}, client.Io());
  absl::Status end;
  std::thread server([&] { end = stream.Run(); });
  client.Send(1);
  client.AwaitJudging(1);  // Frame 0 is being judged...
  client.Send(4);          // ...while frames 1, 2 and 3 arrive.
  client.AwaitTakenIn(4);
  client.AllowJudged(1);
  client.AwaitJudging(2);  // The newest (3) is judged next; 1 and 2 are passed over.
  client.Send(5);
  client.AllowJudged(3);
  server.join();
  ASSERT_TRUE(end.ok()) << end;
  EXPECT_EQ(client.judged(), (std::vector<int64_t>{0, 3, 4}));
  const std::vector<v1::GuideCaptureResponse> answers = client.answers();
  ASSERT_EQ(answers.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(answers[i].frame_index(), i);
    EXPECT_EQ(answers[i].capture_time().seconds(), i);
    EXPECT_EQ(answers[i].skipped(), i == 1 || i == 2) << i;
    EXPECT_EQ(answers[i].ready(), !(i == 1 || i == 2)) << i;
  }
}

TEST(GuideStream, AStreamWithoutFramesEndsAfterTheIdleTimeout) {
  ScriptedStream client(3);
  CaptureGuideOptions options;
  options.idle_timeout = absl::Milliseconds(200);
  GuideStream stream(options, client.Io());
  client.AllowJudged(10);
  client.Send(1);
  const absl::Time start = absl::Now();
  const absl::Status end = stream.Run();
  EXPECT_EQ(end.code(), absl::StatusCode::kDeadlineExceeded) << end;
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
  ASSERT_EQ(client.answers().size(), 1u);  // The one frame sent is answered.
  EXPECT_TRUE(client.answers()[0].ready());
}

TEST(GuideStream, AClientThatStopsReadingIsEnded) {
  GuideStreamIo io;
  int sent = 0;
  io.read = [&sent](v1::GuideCaptureRequest*) { return ++sent <= 100; };
  io.write = [](const v1::GuideCaptureResponse&) { return false; };  // The client is gone.
  io.assess = [](const v1::GuideCaptureRequest&) -> absl::StatusOr<Assessment> {
    return Judged(true);
  };
  bool cancelled = false;
  io.cancel = [&cancelled] { cancelled = true; };
  GuideStream stream(CaptureGuideOptions{}, std::move(io));
  EXPECT_EQ(stream.Run().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(cancelled);
}

}  // namespace
}  // namespace skinlens::gateway
