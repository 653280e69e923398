#include "training/train/image_batch.h"

#include "gtest/gtest.h"
#include "opencv2/core.hpp"

namespace skinlens::training {
namespace {

TEST(ImagesToTensor, ConvertsBgrToNormalisedRgbNchw) {
  cv::Mat image(2, 3, CV_8UC3, cv::Scalar(0, 128, 255));  // B=0, G=128, R=255
  constexpr Normalization kIdentity{{0.f, 0.f, 0.f}, {1.f, 1.f, 1.f}};
  auto tensor = ImagesToTensor({image, image}, kIdentity);
  ASSERT_TRUE(tensor.ok()) << tensor.status();
  EXPECT_EQ(tensor->sizes(), (std::vector<int64_t>{2, 3, 2, 3}));
  EXPECT_FLOAT_EQ((*tensor)[1][0][1][2].item<float>(), 1.0f);             // R
  EXPECT_FLOAT_EQ((*tensor)[1][1][1][2].item<float>(), 128.0f / 255.0f);  // G
  EXPECT_FLOAT_EQ((*tensor)[1][2][1][2].item<float>(), 0.0f);             // B
}

TEST(ImagesToTensor, AppliesMeanAndStd) {
  cv::Mat image(1, 1, CV_8UC3, cv::Scalar(255, 255, 255));
  auto tensor = ImagesToTensor({image}, kImageNetNormalization);
  ASSERT_TRUE(tensor.ok());
  EXPECT_NEAR((*tensor)[0][0][0][0].item<float>(), (1.0f - 0.485f) / 0.229f, 1e-5);
  EXPECT_NEAR((*tensor)[0][2][0][0].item<float>(), (1.0f - 0.406f) / 0.225f, 1e-5);
}

TEST(ImagesToTensor, RejectsMixedSizesAndTypes) {
  cv::Mat a(4, 4, CV_8UC3), b(5, 4, CV_8UC3), grey(4, 4, CV_8UC1);
  EXPECT_EQ(ImagesToTensor({a, b}, kImageNetNormalization).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ImagesToTensor({a, grey}, kImageNetNormalization).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ImagesToTensor({}, kImageNetNormalization).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::training
