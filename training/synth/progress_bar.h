// A one-line progress bar with rate and ETA for long command-line work.
//
// On a terminal the line is redrawn in place at most ten times a second;
// otherwise (a log file, CI) a full line is printed every few seconds.
//
//   ProgressBar bar("skinlens-synth", total, "img");
//   for (...) bar.Update(done);
//   bar.Finish(done);
//   // skinlens-synth [##########..........]  5000/10000  50.0%  812.3 img/s  ETA 0:06
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace skinlens::training {

// The bar's text for `done` of `total` after `elapsed`; `unit` names what is
// counted ("img" -> "812.3 img/s"). No rate or ETA before anything is done.
std::string FormatProgress(absl::string_view label, int64_t done, int64_t total,
                           absl::Duration elapsed, absl::string_view unit);

// Draws FormatProgress() on a stream. Not thread-safe: call from one thread.
class ProgressBar {
 public:
  // `out` must outlive the bar.
  ProgressBar(std::string label, int64_t total, std::string unit, std::FILE* out = stderr);

  // Redraws when enough time has passed since the last drawing.
  void Update(int64_t done);
  // Draws the final state and ends the line.
  void Finish(int64_t done);
  // Ends a line left open on a terminal without drawing again (before an
  // error message, say). Does nothing if no line is open.
  void Abandon();

 private:
  void Draw(int64_t done, bool final);

  std::string label_;
  int64_t total_;
  std::string unit_;
  std::FILE* out_;
  bool tty_;                // redraw in place with '\r'
  absl::Time start_;        // when the bar was made
  absl::Time last_draw_;    // when it was last drawn
  bool line_open_ = false;  // a '\r' line is on the terminal without its '\n'
};

}  // namespace skinlens::training
