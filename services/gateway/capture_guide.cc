#include "services/gateway/capture_guide.h"

#include <cmath>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "common/grpc/rich_status.h"

namespace skinlens::gateway {
namespace {

// The error of an unreadable frame as the RpcStatus a client reads, with the
// details (the QualityReport saying why) it carries.
v1::RpcStatus ErrorOf(const absl::Status& status) {
  v1::RpcStatus out;
  out.set_code(static_cast<int>(status.code()));
  out.set_message(std::string(status.message()));
  for (google::protobuf::Any& detail : DetailsOf(status)) *out.add_details() = std::move(detail);
  return out;
}

}  // namespace

v1::GuideCaptureResponse CaptureGuide::Skipped(int64_t index,
                                               const google::protobuf::Timestamp& capture_time) {
  v1::GuideCaptureResponse answer;
  answer.set_frame_index(index);
  *answer.mutable_capture_time() = capture_time;
  answer.set_skipped(true);
  return answer;
}

v1::GuideCaptureResponse CaptureGuide::Judge(
    int64_t index, const google::protobuf::Timestamp& capture_time,
    const absl::StatusOr<v1::PreprocessServiceAssessFrameResponse>& assessment) {
  v1::GuideCaptureResponse answer;
  answer.set_frame_index(index);
  *answer.mutable_capture_time() = capture_time;
  if (!assessment.ok()) {
    *answer.mutable_error() = ErrorOf(assessment.status());
    ready_streak_ = 0;
    last_face_.reset();
    return answer;
  }
  answer.set_frame_width(assessment->frame_width());
  answer.set_frame_height(assessment->frame_height());
  *answer.mutable_issues() = assessment->quality().issues();

  bool still = false;
  if (assessment->has_face()) {
    *answer.mutable_face() = assessment->face();
    const v1::RegionBox& box = assessment->face().box();
    if (last_face_ && box.width() > 0) {
      const double moved = std::hypot(box.center_x() - last_face_->center_x(),
                                      box.center_y() - last_face_->center_y()) /
                           box.width();
      still = moved <= options_.max_face_movement;
      if (!still) {
        // A warning: a photo taken now would pass the gate, but may be shaken.
        v1::QualityIssue* issue = answer.add_issues();
        issue->set_reason(v1::QUALITY_REASON_FACE_MOVING);
        issue->set_severity(v1::QUALITY_SEVERITY_WARNING);
        issue->set_measured_value(moved);
        issue->set_threshold(options_.max_face_movement);
        issue->set_message(absl::StrFormat(
            "Face moving: %.0f %% of its width since the last frame, at most %.0f %% — hold "
            "still.",
            moved * 100, options_.max_face_movement * 100));
      }
    }
    last_face_ = box;
  } else {
    last_face_.reset();
  }

  const bool ready = assessment->quality().accepted();
  ready_streak_ = ready ? ready_streak_ + 1 : 0;
  answer.set_ready(ready);
  answer.set_ready_streak(ready_streak_);
  answer.set_capture_now(ready && still && ready_streak_ >= options_.ready_frames);
  return answer;
}

absl::StatusOr<GuidanceSlots::Lease> GuidanceSlots::Acquire() {
  if (in_use_.fetch_add(1) >= max_) {
    in_use_.fetch_sub(1);
    return WithRetryDelay(
        WithErrorInfo(absl::ResourceExhaustedError(absl::StrFormat(
                          "the gateway already serves its %d capture guidance streams", max_)),
                      "GUIDANCE_STREAMS_EXHAUSTED", "gateway.skinlens"),
        absl::Seconds(1));
  }
  return Lease(&in_use_);
}

}  // namespace skinlens::gateway
