#include "services/gateway/guide_stream.h"

#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace skinlens::gateway {

absl::Status GuideStream::Run() {
  {
    absl::MutexLock lock(&mu_);
    last_frame_ = absl::Now();
  }
  std::thread worker([this] { Work(); });
  int64_t index = 0;
  while (true) {
    {
      // Backpressure: the client reads its answers too slowly.
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](GuideStream* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return s->outbox_.size() < kMaxUnwrittenAnswers || s->client_gone_ || s->idle_;
          },
          this));
      if (client_gone_ || idle_) break;
    }
    v1::GuideCaptureRequest frame;
    if (!io_.read(&frame)) break;
    absl::MutexLock lock(&mu_);
    last_frame_ = absl::Now();
    if (pending_) {
      outbox_.push_back(
          Slot{pending_->index, true,
               CaptureGuide::Skipped(pending_->index, pending_->frame.capture_time())});
    }
    pending_ = Frame{index++, std::move(frame)};
  }
  {
    absl::MutexLock lock(&mu_);
    reads_done_ = true;
  }
  worker.join();
  absl::MutexLock lock(&mu_);
  if (idle_) {
    return absl::DeadlineExceededError(absl::StrCat(
        "no frame for ", absl::FormatDuration(options_.idle_timeout), "; the stream is ended"));
  }
  if (client_gone_) return absl::CancelledError("the client stopped reading the answers");
  return absl::OkStatus();
}

bool GuideStream::WorkPendingLocked() const {
  return pending_.has_value() || reads_done_ || (!outbox_.empty() && outbox_.front().done);
}

void GuideStream::WriteDoneLocked() {
  while (!client_gone_ && !outbox_.empty() && outbox_.front().done) {
    Slot slot = std::move(outbox_.front());
    outbox_.pop_front();
    mu_.Unlock();
    const bool written = io_.write(slot.answer);
    mu_.Lock();
    if (!written) {
      client_gone_ = true;
      io_.cancel();
    }
  }
}

void GuideStream::Work() {
  absl::MutexLock lock(&mu_);
  while (true) {
    WriteDoneLocked();
    if (client_gone_) return;
    if (pending_) {
      Frame frame = *std::move(pending_);
      pending_.reset();
      outbox_.push_back(Slot{frame.index, false, {}});
      mu_.Unlock();
      v1::GuideCaptureResponse answer =
          guide_.Judge(frame.index, frame.frame.capture_time(), io_.assess(frame.frame));
      mu_.Lock();
      // Skipped answers behind it may have been added; the slot is found by index.
      for (Slot& slot : outbox_) {
        if (slot.index == frame.index) {
          slot.answer = std::move(answer);
          slot.done = true;
          break;
        }
      }
      continue;
    }
    if (reads_done_) return;  // Everything read is answered and written.
    const absl::Time idle_at = last_frame_ + options_.idle_timeout;
    mu_.AwaitWithDeadline(absl::Condition(
                              +[](GuideStream* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
                                return s->WorkPendingLocked();
                              },
                              this),
                          idle_at);
    if (!WorkPendingLocked() && absl::Now() >= last_frame_ + options_.idle_timeout) {
      idle_ = true;
      io_.cancel();  // The reader sees the end and finishes.
      mu_.Await(absl::Condition(
          +[](bool* done) { return *done; }, &reads_done_));
    }
  }
}

}  // namespace skinlens::gateway
