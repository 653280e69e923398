// Live capture guidance (DiagnosisService.GuideCapture), the part that is
// neither gRPC nor preprocessing: what one stream remembers between frames.
// Preprocess's gate judges each frame (PreprocessService.AssessFrame: the
// photo gate's own thresholds); CaptureGuide turns those judgements into the
// answers a camera app acts on: whether the face holds still, how many
// frames in a row were ready, and when to take the photo.
//
//   CaptureGuide guide(options);
//   v1::GuideCaptureResponse answer = guide.Judge(index, frame.capture_time(), assessment);
//   if (answer.capture_now()) TakePhoto();
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "skinlens/v1/diagnosis.pb.h"
#include "skinlens/v1/preprocess.pb.h"

namespace skinlens::gateway {

// Settings of capture guidance.
struct CaptureGuideOptions {
  // Ready frames in a row before `capture_now`: at 5-15 frames a second, 3
  // is a fifth to half a second of a good, steady picture.
  int ready_frames = 3;
  // The most the face's centre may move between two judged frames, as a
  // fraction of the face's width, for the face to count as still.
  double max_face_movement = 0.08;
  // Guidance streams served at once by one gateway; more are refused with
  // RESOURCE_EXHAUSTED and a RetryInfo.
  int max_streams = 16;
  // A stream without a frame for this long is ended.
  absl::Duration idle_timeout = absl::Seconds(30);
  // The longest the judgement of one frame may take.
  absl::Duration frame_deadline = absl::Seconds(2);
};

// The state of one guidance stream. Not thread-safe: one per stream, used by
// the thread that writes its answers.
class CaptureGuide {
 public:
  explicit CaptureGuide(const CaptureGuideOptions& options) : options_(options) {}

  // The answer for frame `index`, judged as `assessment` (an error when the
  // frame could not be read: the answer then carries it, and the streak of
  // ready frames starts again).
  v1::GuideCaptureResponse Judge(
      int64_t index, const google::protobuf::Timestamp& capture_time,
      const absl::StatusOr<v1::PreprocessServiceAssessFrameResponse>& assessment);

  // The answer for a frame passed over for a newer one; the state is kept.
  static v1::GuideCaptureResponse Skipped(int64_t index,
                                          const google::protobuf::Timestamp& capture_time);

 private:
  const CaptureGuideOptions options_;
  int ready_streak_ = 0;
  std::optional<v1::RegionBox> last_face_;  // Of the last judged frame.
};

// Counts the guidance streams in progress against a maximum.
class GuidanceSlots {
 public:
  // Holds one slot until destroyed.
  class Lease {
   public:
    explicit Lease(std::atomic<int>* in_use) : in_use_(in_use) {}
    Lease(Lease&& other) noexcept : in_use_(other.in_use_) { other.in_use_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (in_use_ != nullptr) in_use_->fetch_sub(1);
    }

   private:
    std::atomic<int>* in_use_;
  };

  explicit GuidanceSlots(int max) : max_(max) {}

  // A slot, or RESOURCE_EXHAUSTED (ErrorInfo GUIDANCE_STREAMS_EXHAUSTED, a
  // RetryInfo of one second) when all are taken.
  absl::StatusOr<Lease> Acquire();

 private:
  const int max_;
  std::atomic<int> in_use_{0};
};

}  // namespace skinlens::gateway
