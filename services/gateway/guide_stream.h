// One GuideCapture stream driven to its end, independent of gRPC: frames are
// read on the calling thread while a worker judges the newest and writes the
// answers, one per frame and in order. A frame that is still waiting when a
// newer one arrives is answered `skipped`, so a fast camera never builds a
// queue; the reading stops while answers wait to be written (the client
// reads too slowly), so nothing grows without bound.
//
//   GuideStream stream(options, {.read = ..., .write = ..., .assess = ..., .cancel = ...});
//   absl::Status end = stream.Run();  // When the client stops sending, or idles.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/gateway/capture_guide.h"
#include "skinlens/v1/diagnosis.pb.h"
#include "skinlens/v1/preprocess.pb.h"

namespace skinlens::gateway {

// How a stream meets the world: the transport and the judge.
struct GuideStreamIo {
  // Blocks for the next frame; false when the client is done or gone.
  std::function<bool(v1::GuideCaptureRequest*)> read;
  // Sends one answer; false when the client is gone.
  std::function<bool(const v1::GuideCaptureResponse&)> write;
  // Judges one frame (PreprocessService.AssessFrame).
  std::function<absl::StatusOr<v1::PreprocessServiceAssessFrameResponse>(
      const v1::GuideCaptureRequest&)>
      assess;
  // Makes a blocked `read` return false (the stream is being ended).
  std::function<void()> cancel;
};

class GuideStream {
 public:
  // Answers waiting to be written before frames are no longer read.
  static constexpr int kMaxUnwrittenAnswers = 32;

  GuideStream(const CaptureGuideOptions& options, GuideStreamIo io)
      : options_(options), io_(std::move(io)), guide_(options) {}

  // Serves the stream until the client stops sending and every frame is
  // answered (OK), the client goes away (CANCELLED) or no frame arrives for
  // options.idle_timeout (DEADLINE_EXCEEDED). Call once.
  absl::Status Run();

 private:
  struct Frame {
    int64_t index;
    v1::GuideCaptureRequest frame;
  };
  // One answer in frame order; `done` once it can be written.
  struct Slot {
    int64_t index;
    bool done;
    v1::GuideCaptureResponse answer;
  };

  // The worker: judges the newest frame, writes finished answers in order.
  void Work();
  // Writes the done answers at the front of the outbox; mu_ is released
  // around each write.
  void WriteDoneLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool WorkPendingLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const CaptureGuideOptions options_;
  const GuideStreamIo io_;
  CaptureGuide guide_;  // Used by the worker only.

  absl::Mutex mu_;
  std::optional<Frame> pending_ ABSL_GUARDED_BY(mu_);  // The newest frame, not yet started.
  std::deque<Slot> outbox_ ABSL_GUARDED_BY(mu_);
  absl::Time last_frame_ ABSL_GUARDED_BY(mu_);
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool idle_ ABSL_GUARDED_BY(mu_) = false;
  bool client_gone_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace skinlens::gateway
