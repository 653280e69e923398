#include "training/synth/progress_bar.h"

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace skinlens::training {
namespace {

TEST(FormatProgress, ShowsCountPercentRateAndEta) {
  EXPECT_EQ(FormatProgress("synth", 250, 1000, absl::Seconds(5), "img"),
            "synth [######..................] 250/1000   25.0%  50.0 img/s  ETA 0:15");
}

TEST(FormatProgress, ShowsTotalTimeWhenDone) {
  EXPECT_EQ(FormatProgress("synth", 10, 10, absl::Seconds(3725), "img"),
            "synth [########################] 10/10  100.0%  0.0 img/s  in 1:02:05");
}

TEST(FormatProgress, OmitsRateBeforeAnythingIsDone) {
  EXPECT_EQ(FormatProgress("x", 0, 4, absl::Seconds(1), "img"),
            "x [........................] 0/4    0.0%");
}

std::string ReadAll(std::FILE* file) {
  std::rewind(file);
  std::string text;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file))
    text.push_back(static_cast<char>(c));
  return text;
}

TEST(ProgressBar, PrintsWholeLinesWhenNotATerminal) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    ProgressBar bar("synth", 4, "img", file);
    bar.Update(0);  // the first update draws
    bar.Abandon();  // no open line off a terminal: nothing
    bar.Finish(4);
  }
  const std::string text = ReadAll(file);
  std::fclose(file);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.rfind("synth [........................] 0/4    0.0%\n", 0), 0u) << text;
  EXPECT_NE(text.find("] 4/4  100.0%"), std::string::npos) << text;
}

}  // namespace
}  // namespace skinlens::training
