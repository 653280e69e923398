#include "training/data/image_loader.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "opencv2/core.hpp"
#include "opencv2/imgcodecs.hpp"
#include "training/data/test_files.h"

namespace skinlens::training {
namespace {

using ::testing::HasSubstr;

TEST(LoadImageBgr8, ReadsColourPngUnchanged) {
  TempFolder folder;
  cv::Mat image(3, 5, CV_8UC3, cv::Scalar(10, 20, 30));
  image.at<cv::Vec3b>(1, 2) = cv::Vec3b(200, 100, 0);
  WriteImage(folder.Path("colour.png"), image);
  absl::StatusOr<cv::Mat> loaded = LoadImageBgr8(folder.Path("colour.png"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->type(), CV_8UC3);
  EXPECT_EQ(cv::norm(*loaded, image, cv::NORM_INF), 0.0);
}

TEST(LoadImageBgr8, ReplicatesGreyToThreeChannels) {
  TempFolder folder;
  WriteImage(folder.Path("grey.png"), cv::Mat(4, 4, CV_8UC1, cv::Scalar(77)));
  absl::StatusOr<cv::Mat> loaded = LoadImageBgr8(folder.Path("grey.png"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->type(), CV_8UC3);
  EXPECT_EQ(loaded->at<cv::Vec3b>(2, 3), cv::Vec3b(77, 77, 77));
}

TEST(LoadImageBgr8, DropsTheAlphaChannel) {
  TempFolder folder;
  WriteImage(folder.Path("alpha.png"), cv::Mat(4, 4, CV_8UC4, cv::Scalar(5, 6, 7, 0)));
  absl::StatusOr<cv::Mat> loaded = LoadImageBgr8(folder.Path("alpha.png"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->type(), CV_8UC3);
  EXPECT_EQ(loaded->at<cv::Vec3b>(0, 0), cv::Vec3b(5, 6, 7));
}

TEST(LoadImageBgr8, ScalesSixteenBitToEightBit) {
  TempFolder folder;
  cv::Mat deep(2, 2, CV_16UC3, cv::Scalar(65535, 257 * 100, 0));
  WriteImage(folder.Path("deep.png"), deep);
  absl::StatusOr<cv::Mat> loaded = LoadImageBgr8(folder.Path("deep.png"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->type(), CV_8UC3);
  EXPECT_EQ(loaded->at<cv::Vec3b>(1, 1), cv::Vec3b(255, 100, 0));
}

TEST(LoadImageBgr8, MissingFileIsNotFoundNamingThePath) {
  TempFolder folder;
  absl::StatusOr<cv::Mat> loaded = LoadImageBgr8(folder.Path("nothing.png"));
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(loaded.status().message(), HasSubstr("nothing.png"));
}

TEST(LoadImageBgr8, CorruptFileIsInvalidArgumentNamingThePath) {
  TempFolder folder;
  WriteText(folder.Path("broken.png"), "this is not a PNG");
  absl::StatusOr<cv::Mat> loaded = LoadImageBgr8(folder.Path("broken.png"));
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(loaded.status().message(), HasSubstr("cannot decode image '"));
  EXPECT_THAT(loaded.status().message(), HasSubstr("broken.png"));
}

TEST(ToBgr8, RejectsFloatAndTwoChannelImages) {
  EXPECT_EQ(ToBgr8(cv::Mat(2, 2, CV_32FC3, cv::Scalar(0.5))).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ToBgr8(cv::Mat(2, 2, CV_8UC2, cv::Scalar(1))).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ToBgr8(cv::Mat()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ToBgr8, ConvertsBgraInMemory) {
  absl::StatusOr<cv::Mat> bgr = ToBgr8(cv::Mat(2, 2, CV_8UC4, cv::Scalar(1, 2, 3, 4)));
  ASSERT_TRUE(bgr.ok());
  EXPECT_EQ(bgr->at<cv::Vec3b>(0, 0), cv::Vec3b(1, 2, 3));
}

}  // namespace
}  // namespace skinlens::training
