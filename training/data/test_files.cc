#include "training/data/test_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "opencv2/imgcodecs.hpp"

namespace skinlens::training {

namespace fs = std::filesystem;

TempFolder::TempFolder() {
  const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info == nullptr ? std::string("no_test")
                                     : absl::StrCat(info->test_suite_name(), "_", info->name());
  name = absl::StrReplaceAll(name, {{"/", "_"}});
  root_ =
      (fs::path(testing::TempDir()) / absl::StrCat("skinlens_data_", getpid(), "_", name)).string();
  std::error_code error;
  fs::remove_all(root_, error);
  fs::create_directories(root_, error);
  EXPECT_FALSE(error) << "cannot create " << root_ << ": " << error.message();
}

TempFolder::~TempFolder() {
  std::error_code error;
  fs::remove_all(root_, error);
}

std::string TempFolder::Path(absl::string_view relative) const {
  return (fs::path(root_) / std::string(relative)).string();
}

void WriteText(const std::string& path, absl::string_view text) {
  std::error_code error;
  fs::create_directories(fs::path(path).parent_path(), error);
  std::ofstream out(path, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

void WriteImage(const std::string& path, const cv::Mat& image) {
  std::error_code error;
  fs::create_directories(fs::path(path).parent_path(), error);
  ASSERT_TRUE(cv::imwrite(path, image)) << "cannot write " << path;
}

void WriteTinyImage(const std::string& path) {
  WriteImage(path, cv::Mat(4, 4, CV_8UC3, cv::Scalar(40, 90, 200)));
}

}  // namespace skinlens::training
