// Test helpers (linked into the data tests only): a temporary folder removed
// at the end of the test, and small files written into it.
//
//   TempFolder folder;
//   WriteTinyImage(folder.Path("face/0001.png"));
//   WriteText(folder.Path("face/0001.json"), R"({"oil": 2})");
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "opencv2/core/mat.hpp"

namespace skinlens::training {

// A fresh, empty folder under the GoogleTest temporary folder, named after
// the process and the running test (so parallel runs do not meet); removed (with its contents) on
// destruction.
class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  // The folder itself.
  const std::string& root() const { return root_; }
  // `relative` joined to the folder.
  std::string Path(absl::string_view relative) const;

 private:
  std::string root_;
};

// Writes `text` to `path`, creating the parent folders; fails the test on error.
void WriteText(const std::string& path, absl::string_view text);

// Writes `image` with cv::imwrite (format from the extension), creating the
// parent folders; fails the test on error.
void WriteImage(const std::string& path, const cv::Mat& image);

// Writes a 4x4 BGR image of one colour.
void WriteTinyImage(const std::string& path);

}  // namespace skinlens::training
