#include "services/gateway/static_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace skinlens::gateway {
namespace {

namespace fs = std::filesystem;

// A web root with an app, next to a secret outside it.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::path(::testing::TempDir()) /
            ("skinlens_static_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(base_);
    root_ = base_ / "dist";
    fs::create_directories(root_ / "assets");
    Write(root_ / "index.html", "<html>");
    Write(root_ / "assets" / "app-1234.js", "js");
    Write(root_ / ".env", "hidden");
    Write(base_ / "secret.txt", "secret");
  }
  void TearDown() override { fs::remove_all(base_); }
  static void Write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  std::string Resolve(const std::string& url) {
    absl::StatusOr<fs::path> file = ResolveStaticPath(root_, url);
    if (!file.ok()) return "NOT_FOUND";
    return fs::relative(*file, fs::canonical(root_)).string();
  }

  fs::path base_;
  fs::path root_;
};

TEST_F(StaticFilesTest, ServesFilesInsideTheRoot) {
  EXPECT_EQ(Resolve("/"), "index.html");
  EXPECT_EQ(Resolve("/index.html"), "index.html");
  EXPECT_EQ(Resolve("/assets/app-1234.js"), "assets/app-1234.js");
}

TEST_F(StaticFilesTest, ClientRoutesWithoutExtensionGetTheApp) {
  EXPECT_EQ(Resolve("/history"), "index.html");
  EXPECT_EQ(Resolve("/history/"), "index.html");
  EXPECT_EQ(Resolve("/assets/missing.js"), "NOT_FOUND");
}

// The HTTP library percent-decodes the path before it reaches the resolver, so
// "/%2e%2e/" arrives as "/../"; a double encoding arrives as a literal
// "%2e%2e" segment, which names no file.
TEST_F(StaticFilesTest, RefusesTraversalInEveryForm) {
  for (const char* url :
       {"/../secret.txt", "/assets/../../secret.txt", "/./index.html", "/..", "/../",
        "/assets/..%2f..%2fsecret.txt", "/%2e%2e/secret.txt", "/%252e%252e/secret.txt",
        "/..\\secret.txt", "/assets//app-1234.js", "//etc/passwd", "/.env"}) {
    EXPECT_EQ(Resolve(url), "NOT_FOUND") << url;
  }
  EXPECT_EQ(Resolve(std::string("/index.html\0.js", 15)), "NOT_FOUND");
  EXPECT_EQ(Resolve("relative.html"), "NOT_FOUND");
}

TEST_F(StaticFilesTest, RefusesSymbolicLinksLeavingTheRoot) {
  fs::create_symlink(base_ / "secret.txt", root_ / "leak.txt");
  fs::create_directory_symlink(base_, root_ / "up");
  EXPECT_EQ(Resolve("/leak.txt"), "NOT_FOUND");
  EXPECT_EQ(Resolve("/up/secret.txt"), "NOT_FOUND");
}

TEST_F(StaticFilesTest, MissingRootServesNothing) {
  EXPECT_FALSE(ResolveStaticPath(base_ / "no-such-dist", "/").ok());
}

TEST(ContentTypeFor, KnowsTheWebAppsTypes) {
  EXPECT_EQ(ContentTypeFor("a/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("x.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("x.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("x.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("x.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("x.bin"), "application/octet-stream");
}

}  // namespace
}  // namespace skinlens::gateway
