#include "services/gateway/capture_sessions.h"

#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/time_util.h"

namespace skinlens::gateway {
namespace {

// 128 random bits: an id nobody guesses (it is bound to its user as well).
std::string NewSessionId() {
  thread_local absl::BitGen gen;
  return absl::StrFormat("cs-%016x%016x", absl::Uniform<uint64_t>(gen),
                         absl::Uniform<uint64_t>(gen));
}

absl::Status NoSuchSession() {
  return absl::NotFoundError(
      "no such capture session (it ended, was idle too long, or is not yours); open a new one");
}

}  // namespace

CaptureSessions::CaptureSessions(const CaptureGuideOptions& options, GuidanceSlots* slots,
                                 Clock clock)
    : options_(options), slots_(slots), clock_(std::move(clock)) {}

absl::StatusOr<v1::CaptureSession> CaptureSessions::Open(const std::string& user_id) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  SweepIdleLocked(now);
  MakeRoomForUserLocked(user_id);
  absl::StatusOr<GuidanceSlots::Lease> slot = slots_->Acquire();
  if (!slot.ok()) return slot.status();
  std::string id = NewSessionId();
  sessions_[id] = std::make_shared<Session>(user_id, options_, *std::move(slot), now);
  v1::CaptureSession opened;
  opened.set_capture_session_id(std::move(id));
  opened.set_ready_frames(options_.ready_frames);
  *opened.mutable_idle_timeout() = google::protobuf::util::TimeUtil::NanosecondsToDuration(
      absl::ToInt64Nanoseconds(options_.idle_timeout));
  return opened;
}

absl::StatusOr<v1::GuideCaptureResponse> CaptureSessions::Judge(
    const std::string& id, const std::string& user_id, const v1::GuideCaptureRequest& frame,
    const Assess& assess) {
  std::shared_ptr<Session> session;
  int64_t index = 0;
  {
    absl::MutexLock lock(&mu_);
    SweepIdleLocked(clock_());
    absl::StatusOr<std::shared_ptr<Session>> found = FindLocked(id, user_id);
    if (!found.ok()) return found.status();
    session = *std::move(found);
    index = session->next_index++;
    session->last_used = clock_();
    if (session->judging) return CaptureGuide::Skipped(index, frame.capture_time());
    session->judging = true;
  }
  // Judged without the lock: other sessions' frames go on meanwhile.
  absl::StatusOr<v1::PreprocessServiceAssessFrameResponse> assessment = assess(frame);
  v1::GuideCaptureResponse answer = session->guide.Judge(index, frame.capture_time(), assessment);
  absl::MutexLock lock(&mu_);
  session->judging = false;
  session->last_used = clock_();
  return answer;
}

absl::Status CaptureSessions::Close(const std::string& id, const std::string& user_id) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::shared_ptr<Session>> found = FindLocked(id, user_id);
  if (!found.ok()) return found.status();
  sessions_.erase(id);
  return absl::OkStatus();
}

int CaptureSessions::size() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(sessions_.size());
}

void CaptureSessions::SweepIdleLocked(absl::Time now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const Session& s = *it->second;
    if (!s.judging && now - s.last_used > options_.idle_timeout) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

void CaptureSessions::MakeRoomForUserLocked(const std::string& user_id) {
  while (true) {
    auto oldest = sessions_.end();
    int count = 0;
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second->user_id != user_id) continue;
      ++count;
      if (oldest == sessions_.end() || it->second->opened < oldest->second->opened) oldest = it;
    }
    if (count < kMaxSessionsPerUser) return;
    sessions_.erase(oldest);
  }
}

absl::StatusOr<std::shared_ptr<CaptureSessions::Session>> CaptureSessions::FindLocked(
    const std::string& id, const std::string& user_id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->user_id != user_id) return NoSuchSession();
  return it->second;
}

}  // namespace skinlens::gateway
