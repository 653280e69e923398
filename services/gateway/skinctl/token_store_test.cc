#include "services/gateway/skinctl/token_store.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace skinlens::skinctl {
namespace {

namespace fs = std::filesystem;

fs::path TempDir() {
  fs::path dir =
      fs::path(::testing::TempDir()) /
      ("skinctl_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  fs::remove_all(dir);
  return dir;
}

mode_t ModeOf(const fs::path& p) {
  struct stat st;
  EXPECT_EQ(stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

TEST(TokenStore, SavesOwnerOnlyAndLoadsBack) {
  const fs::path dir = TempDir();
  const std::string path = (dir / "skinlens" / "token").string();
  ASSERT_TRUE(SaveToken(path, "secret-token").ok());
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(dir / "skinlens"), 0700u);
  EXPECT_EQ(LoadToken(path).value(), "secret-token");
  fs::remove_all(dir);
}

TEST(TokenStore, NarrowsTheModeOfAnExistingFile) {
  const fs::path dir = TempDir();
  fs::create_directories(dir);
  const std::string path = (dir / "token").string();
  std::ofstream(path) << "old";
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  ASSERT_TRUE(SaveToken(path, "new").ok());
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(LoadToken(path).value(), "new");
  fs::remove_all(dir);
}

TEST(TokenStore, RefusesAFileOthersCanRead) {
  const fs::path dir = TempDir();
  fs::create_directories(dir);
  const std::string path = (dir / "token").string();
  std::ofstream(path) << "leaked";
  fs::permissions(path, fs::perms::owner_read | fs::perms::group_read);
  EXPECT_EQ(LoadToken(path).status().code(), absl::StatusCode::kPermissionDenied);
  fs::remove_all(dir);
}

TEST(TokenStore, MissingOrDeletedTokenMeansNotLoggedIn) {
  const fs::path dir = TempDir();
  const std::string path = (dir / "token").string();
  EXPECT_EQ(LoadToken(path).status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(SaveToken(path, "t").ok());
  ASSERT_TRUE(DeleteToken(path).ok());
  EXPECT_EQ(LoadToken(path).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(DeleteToken(path).ok());  // already gone
  fs::remove_all(dir);
}

TEST(DefaultTokenPath, PrefersXdgConfigHomeThenHome) {
  const char* saved_xdg = std::getenv("XDG_CONFIG_HOME");
  const char* saved_home = std::getenv("HOME");
  const std::string xdg = saved_xdg ? saved_xdg : "";
  const std::string home = saved_home ? saved_home : "";
  setenv("XDG_CONFIG_HOME", "/x/config", 1);
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(DefaultTokenPath(), "/x/config/skinlens/token");
  unsetenv("XDG_CONFIG_HOME");
  EXPECT_EQ(DefaultTokenPath(), "/home/u/.config/skinlens/token");
  if (saved_xdg) setenv("XDG_CONFIG_HOME", xdg.c_str(), 1);
  if (saved_home) setenv("HOME", home.c_str(), 1);
}

}  // namespace
}  // namespace skinlens::skinctl
