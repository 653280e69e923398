// ModelRepository with a stand-in model (no LibTorch): swaps, the previous
// model kept by version, failed and concurrent reloads, and calls that keep
// the model they started with.
#include "common/model/model_repository.h"

#include <filesystem>
#include <map>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace skinlens::model {
namespace {

namespace fs = std::filesystem;

struct FakeModel {
  std::string version;
};

class ModelRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(root_);
    for (const char* name : {"demo", "next", "broken"}) fs::create_directories(root_ / name);
    root_ = fs::canonical(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Bundles by folder name: "demo" and "next" load as versions v1 and v2,
  // "broken" fails, a folder that does not exist is NOT_FOUND.
  ModelRepository<FakeModel>::Loader Loader() {
    return [this](const std::string& path) -> absl::StatusOr<std::shared_ptr<const FakeModel>> {
      ++loads_;
      const std::string name = fs::path(path).filename().string();
      if (!fs::exists(path)) return absl::NotFoundError("no bundle");
      if (name == "broken") return absl::FailedPreconditionError("bad weights");
      return std::make_shared<const FakeModel>(FakeModel{versions_[name]});
    };
  }
  ModelRepository<FakeModel> Repository(std::shared_ptr<const FakeModel> initial = nullptr) {
    return ModelRepository<FakeModel>(
        BundleLocation{(root_ / "demo").string(), root_.string()}, Loader(),
        [](const FakeModel& m) { return m.version; }, std::move(initial));
  }

  fs::path root_;
  std::map<std::string, std::string> versions_ = {{"demo", "v1"}, {"next", "v2"}};
  std::atomic<int> loads_{0};
};

TEST_F(ModelRepositoryTest, AReloadSwapsAndKeepsTheReplacedModelByVersion) {
  ModelRepository<FakeModel> models = Repository();
  EXPECT_EQ(models.current(), nullptr);
  ASSERT_TRUE(models.Reload(std::nullopt).ok());  // The configured bundle.
  EXPECT_EQ(models.current()->version, "v1");
  absl::StatusOr<ModelRepository<FakeModel>::Swap> swap = models.Reload("next");
  ASSERT_TRUE(swap.ok()) << swap.status();
  EXPECT_EQ(swap->previous->version, "v1");
  EXPECT_EQ(swap->current->version, "v2");
  EXPECT_EQ(swap->path, (root_ / "next").string());
  EXPECT_EQ(models.current()->version, "v2");
  EXPECT_EQ(models.WithVersion("v1")->version, "v1");
  EXPECT_EQ(models.WithVersion("v2")->version, "v2");
  EXPECT_EQ(models.WithVersion("v3"), nullptr);
}

TEST_F(ModelRepositoryTest, ReloadingTheSameVersionKeepsTheRealPrevious) {
  ModelRepository<FakeModel> models = Repository();
  ASSERT_TRUE(models.Reload(std::nullopt).ok());
  ASSERT_TRUE(models.Reload("next").ok());
  ASSERT_TRUE(models.Reload("next").ok());  // v2 again.
  EXPECT_EQ(models.previous()->version, "v1");
  EXPECT_NE(models.WithVersion("v1"), nullptr);
}

TEST_F(ModelRepositoryTest, AFailedReloadLeavesTheOldModelServing) {
  ModelRepository<FakeModel> models = Repository();
  ASSERT_TRUE(models.Reload(std::nullopt).ok());
  const std::shared_ptr<const FakeModel> before = models.current();
  EXPECT_EQ(models.Reload("broken").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(models.Reload("missing").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(models.Reload("/etc").status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(models.current(), before);
  EXPECT_EQ(models.previous(), nullptr);
  EXPECT_EQ(loads_.load(), 3) << "a path outside the model folder is never loaded";
}

TEST_F(ModelRepositoryTest, ASecondReloadWhileOneLoadsIsAborted) {
  absl::Notification loading, release;
  ModelRepository<FakeModel> models(
      BundleLocation{(root_ / "demo").string(), root_.string()},
      [&](const std::string&) -> absl::StatusOr<std::shared_ptr<const FakeModel>> {
        if (!loading.HasBeenNotified()) loading.Notify();
        release.WaitForNotification();
        return std::make_shared<const FakeModel>(FakeModel{"v1"});
      },
      [](const FakeModel& m) { return m.version; });
  absl::StatusOr<ModelRepository<FakeModel>::Swap> first;
  std::thread t([&] { first = models.Reload(std::nullopt); });
  loading.WaitForNotification();
  EXPECT_EQ(models.Reload(std::nullopt).status().code(), absl::StatusCode::kAborted);
  release.Notify();
  t.join();
  ASSERT_TRUE(first.ok());
  // Once done, reloads are taken again.
  EXPECT_TRUE(models.Reload(std::nullopt).ok());
}

TEST_F(ModelRepositoryTest, ACallInProgressKeepsItsModelAfterTheSwap) {
  ModelRepository<FakeModel> models =
      Repository(std::make_shared<const FakeModel>(FakeModel{"v0"}));
  std::shared_ptr<const FakeModel> in_call = models.current();  // A call starts on v0.
  const std::weak_ptr<const FakeModel> watch = in_call;
  ASSERT_TRUE(models.Reload("next").ok());
  ASSERT_TRUE(models.Reload(std::nullopt).ok());  // v0 is no longer current or previous.
  EXPECT_EQ(models.WithVersion("v0"), nullptr);
  EXPECT_EQ(in_call->version, "v0");  // Still usable by the call.
  in_call.reset();                    // The call ends: the model goes.
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace skinlens::model
