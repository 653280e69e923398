#include "training/synth/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace skinlens::training {
namespace {

std::string FormatDuration(double seconds) {
  const auto s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  if (s >= 3600) return absl::StrFormat("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  return absl::StrFormat("%d:%02d", s / 60, s % 60);
}

}  // namespace

std::string FormatProgress(absl::string_view label, int64_t done, int64_t total,
                           absl::Duration elapsed, absl::string_view unit) {
  constexpr int kWidth = 24;
  const double fraction =
      total > 0 ? std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0)
                : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string line = absl::StrCat(label, " [", std::string(static_cast<size_t>(filled), '#'),
                                  std::string(static_cast<size_t>(kWidth - filled), '.'), "] ");
  absl::StrAppend(&line, absl::StrFormat("%d/%d  %5.1f%%", done, total, 100.0 * fraction));
  const double seconds = absl::ToDoubleSeconds(elapsed);
  if (done > 0 && seconds > 0) {
    const double rate = static_cast<double>(done) / seconds;
    absl::StrAppend(&line, absl::StrFormat("  %.1f %s/s", rate, unit));
    if (done < total) {
      absl::StrAppend(&line, "  ETA ", FormatDuration(static_cast<double>(total - done) / rate));
    } else {
      absl::StrAppend(&line, "  in ", FormatDuration(seconds));
    }
  }
  return line;
}

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit, std::FILE* out)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      out_(out),
      tty_(isatty(fileno(out)) != 0),
      start_(absl::Now()),
      last_draw_(absl::InfinitePast()) {}

void ProgressBar::Update(int64_t done) {
  const absl::Duration interval = tty_ ? absl::Milliseconds(100) : absl::Seconds(5);
  if (absl::Now() - last_draw_ >= interval) Draw(done, /*final=*/false);
}

void ProgressBar::Finish(int64_t done) { Draw(done, /*final=*/true); }

void ProgressBar::Abandon() {
  if (line_open_) {
    std::fputc('\n', out_);
    std::fflush(out_);
    line_open_ = false;
  }
}

void ProgressBar::Draw(int64_t done, bool final) {
  last_draw_ = absl::Now();
  const std::string line = FormatProgress(label_, done, total_, last_draw_ - start_, unit_);
  if (tty_) {
    // Clear to the end of the line: the previous text may have been longer.
    std::fprintf(out_, "\r%s\033[K%s", line.c_str(), final ? "\n" : "");
    line_open_ = !final;
  } else {
    std::fprintf(out_, "%s\n", line.c_str());
  }
  std::fflush(out_);
}

}  // namespace skinlens::training
