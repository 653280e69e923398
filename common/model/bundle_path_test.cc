#include "common/model/bundle_path.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace skinlens::model {
namespace {

namespace fs = std::filesystem;

class ResolveBundlePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    fs::create_directories(root_ / "models" / "demo");
    fs::create_directories(root_ / "models" / "next");
    fs::create_directories(root_ / "elsewhere" / "own");
    fs::create_directories(root_ / "elsewhere" / "other");
    root_ = fs::canonical(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  absl::StatusCode Code(const BundleLocation& where, const std::string& requested) {
    return ResolveBundlePath(where, requested).status().code();
  }

  fs::path root_;
};

TEST_F(ResolveBundlePathTest, UnsetIsTheConfiguredBundle) {
  const BundleLocation where{(root_ / "models" / "demo").string(), ""};
  EXPECT_EQ(*ResolveBundlePath(where, std::nullopt), where.model_path);
  EXPECT_EQ(ResolveBundlePath(BundleLocation{}, std::nullopt).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ResolveBundlePathTest, RelativePathsAreInsideTheFolderOfTheModelByDefault) {
  const BundleLocation where{(root_ / "models" / "demo").string(), ""};
  EXPECT_EQ(*ResolveBundlePath(where, "next"), (root_ / "models" / "next").string());
  EXPECT_EQ(*ResolveBundlePath(where, "not-yet-there"),
            (root_ / "models" / "not-yet-there").string());  // the loader says NOT_FOUND
  EXPECT_EQ(*ResolveBundlePath(where, (root_ / "models" / "next").string()),
            (root_ / "models" / "next").string());
}

TEST_F(ResolveBundlePathTest, AModelDirWidensOrMovesTheFolder) {
  const BundleLocation where{(root_ / "models" / "demo").string(), root_.string()};
  EXPECT_EQ(*ResolveBundlePath(where, "elsewhere/own"), (root_ / "elsewhere" / "own").string());
  EXPECT_EQ(*ResolveBundlePath(where, "models/next"), (root_ / "models" / "next").string());
}

TEST_F(ResolveBundlePathTest, NothingOutsideTheFolderButTheConfiguredBundle) {
  const BundleLocation where{(root_ / "elsewhere" / "own").string(), (root_ / "models").string()};
  EXPECT_EQ(Code(where, "../elsewhere"), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Code(where, "next/../../elsewhere"), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Code(where, "/etc"), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Code(where, (root_ / "modelsX").string()), absl::StatusCode::kPermissionDenied);
  // A link inside the folder that leads out of it.
  fs::create_directory_symlink(root_ / "elsewhere", root_ / "models" / "link");
  EXPECT_EQ(Code(where, "link/other"), absl::StatusCode::kPermissionDenied);
  // The configured bundle itself may always be named, even outside the folder.
  EXPECT_EQ(*ResolveBundlePath(where, (root_ / "elsewhere" / "own").string()),
            (root_ / "elsewhere" / "own").string());
  EXPECT_EQ(*ResolveBundlePath(where, "next/../demo"), (root_ / "models" / "demo").string());
}

TEST_F(ResolveBundlePathTest, EmptyOrNulPathsAreInvalid) {
  const BundleLocation where{(root_ / "models" / "demo").string(), ""};
  EXPECT_EQ(Code(where, ""), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Code(where, std::string("next\0/x", 7)), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::model
