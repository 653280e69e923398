// Capture guidance sessions of the HTTP front (capture_session.proto): the
// state of a GuideCapture stream kept between separate requests, for clients
// that post one frame at a time. Each session owns a CaptureGuide (the same
// rules as a stream's) and one guidance slot, shared with the streams.
//
//   CaptureSessions sessions(options, &slots);
//   absl::StatusOr<v1::CaptureSession> opened = sessions.Open(user_id);
//   absl::StatusOr<v1::GuideCaptureResponse> answer =
//       sessions.Judge(opened->capture_session_id(), user_id, frame, assess);
//   sessions.Close(opened->capture_session_id(), user_id);
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/gateway/capture_guide.h"
#include "skinlens/v1/capture_session.pb.h"
#include "skinlens/v1/diagnosis.pb.h"
#include "skinlens/v1/preprocess.pb.h"

namespace skinlens::gateway {

class CaptureSessions {
 public:
  // Judges one frame (PreprocessService.AssessFrame).
  using Assess = std::function<absl::StatusOr<v1::PreprocessServiceAssessFrameResponse>(
      const v1::GuideCaptureRequest&)>;
  using Clock = std::function<absl::Time()>;

  // Sessions one user may hold; opening one more ends that user's oldest.
  static constexpr int kMaxSessionsPerUser = 2;

  // `slots` must outlive this object.
  CaptureSessions(const CaptureGuideOptions& options, GuidanceSlots* slots,
                  Clock clock = absl::Now);

  // A new session of `user_id`, holding a guidance slot: RESOURCE_EXHAUSTED
  // (GuidanceSlots::Acquire's) when every slot is taken. Sessions idle past
  // options.idle_timeout are ended first, so their slots count as free.
  absl::StatusOr<v1::CaptureSession> Open(const std::string& user_id);

  // The answer for `frame` in session `id` of `user_id`: NOT_FOUND when there
  // is no such session of that user (never opened, deleted, idle too long,
  // or another user's). A frame arriving while the session's previous one is
  // being judged is answered `skipped` at once. Frames of one session are
  // numbered in arrival order.
  absl::StatusOr<v1::GuideCaptureResponse> Judge(const std::string& id, const std::string& user_id,
                                                 const v1::GuideCaptureRequest& frame,
                                                 const Assess& assess);

  // Ends session `id` of `user_id` and frees its slot (once a frame being
  // judged is answered); NOT_FOUND as for Judge.
  absl::Status Close(const std::string& id, const std::string& user_id);

  // Sessions open now (idle ones not yet swept included).
  int size() const;

 private:
  struct Session {
    Session(std::string owner, const CaptureGuideOptions& options, GuidanceSlots::Lease lease,
            absl::Time now)
        : user_id(std::move(owner)),
          guide(options),
          slot(std::move(lease)),
          opened(now),
          last_used(now) {}
    const std::string user_id;
    CaptureGuide guide;  // Used only by the one Judge that set `judging`.
    GuidanceSlots::Lease slot;
    const absl::Time opened;
    absl::Time last_used;  // Guarded by CaptureSessions::mu_, as are the two below.
    bool judging = false;
    int64_t next_index = 0;
  };

  // Ends sessions idle past the timeout (never one being judged).
  void SweepIdleLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends `user_id`'s oldest sessions until it holds fewer than the maximum.
  void MakeRoomForUserLocked(const std::string& user_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Session `id` of `user_id`, or NOT_FOUND.
  absl::StatusOr<std::shared_ptr<Session>> FindLocked(const std::string& id,
                                                      const std::string& user_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const CaptureGuideOptions options_;
  GuidanceSlots* const slots_;
  const Clock clock_;

  mutable absl::Mutex mu_;
  // A Judge in progress holds its own reference, so a session ended meanwhile
  // frees its slot once that frame is answered.
  std::map<std::string, std::shared_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skinlens::gateway
