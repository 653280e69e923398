#include "service_cluster.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/inference/test_bundle.h"

namespace skinlens::testing {

namespace fs = std::filesystem;

ServiceCluster::ServiceCluster(fs::path dir, ServiceBinaries binaries, std::string database_url,
                               std::vector<std::string> auth_flags)
    : dir_(std::move(dir)),
      binaries_(std::move(binaries)),
      database_url_(std::move(database_url)),
      auth_flags_(std::move(auth_flags)) {}

void ServiceCluster::Start(const std::vector<std::string>& gateway_flags) {
  // The tiny SkinNet (width and depth 0.25, 64 x 64 px) with random weights.
  const fs::path bundle = dir_ / "bundle";
  ASSERT_TRUE(
      inference::testing::WriteTinyBundle(bundle.string(), "system-test-tiny.1", /*seed=*/7).ok());
  const fs::path key = dir_ / "user-assertion.key";
  std::ofstream(key) << "system-test-user-assertion-secret-0123456789\n";
  const std::string key_flag = "--user_assertion_key_file=" + key.string();
  const fs::path auth_key = dir_ / "auth-caller.key";
  std::ofstream(auth_key) << "system-test-auth-caller-secret-0123456789\n";
  auto database = [&](const std::string& name) {
    return "--database_url=" +
           (database_url_.empty() ? "sqlite:" + (dir_ / (name + ".db")).string() : database_url_);
  };

  std::vector<std::string> auth = {database("auth"), "--caller_key_file=" + auth_key.string()};
  auth.insert(auth.end(), auth_flags_.begin(), auth_flags_.end());
  commands_["auth"] = {binaries_.auth, auth};
  commands_["history"] = {binaries_.history, {database("history"), key_flag}};
  commands_["preprocess"] = {binaries_.preprocess, {}};
  commands_["inference"] = {binaries_.inference,
                            {"--model=" + bundle.string(), "--intra_op_threads=1"}};
  commands_["explain"] = {binaries_.explain, {"--model=" + bundle.string()}};
  for (const char* name : {"auth", "history", "preprocess", "inference", "explain"}) {
    ASSERT_NO_FATAL_FAILURE(StartService(name));
  }
  fs::create_directories(dir_ / "web");
  std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>SkinLens</title>";
  std::ofstream(dir_ / "secret.txt") << "outside the web root";
  std::vector<std::string> gateway = {"--auth_target=" + address("auth"),
                                      "--preprocess_target=" + address("preprocess"),
                                      "--inference_target=" + address("inference"),
                                      "--explain_target=" + address("explain"),
                                      "--history_target=" + address("history"),
                                      "--http_port=0",
                                      "--http_port_file=" + (dir_ / "http_port").string(),
                                      "--web_root=" + (dir_ / "web").string(),
                                      key_flag,
                                      "--auth_key_file=" + auth_key.string()};
  gateway.insert(gateway.end(), gateway_flags.begin(), gateway_flags.end());
  commands_["gateway"] = {binaries_.gateway, gateway};
  ASSERT_NO_FATAL_FAILURE(StartService("gateway"));
  std::ifstream in(dir_ / "http_port");
  const std::string line(std::istreambuf_iterator<char>(in), {});
  http_port_ = std::atoi(line.substr(line.find('=') + 1).c_str());
  ASSERT_GT(http_port_, 0) << line;
}

void ServiceCluster::StartService(const std::string& name) {
  auto& [binary, args] = commands_.at(name);
  std::vector<std::string> all = args;
  if (auto it = ports_.find(name); it != ports_.end()) all.push_back("--port=" + it->second);
  processes_[name] = std::make_unique<ServerProcess>(binary, all);
  ASSERT_TRUE(processes_[name]->AwaitPorts(std::chrono::seconds(60))) << name << ":\n"
                                                                      << processes_[name]->Log();
  const std::string a = processes_[name]->address();
  ports_[name] = a.substr(a.rfind(':') + 1);
}

std::string ServiceCluster::Logs() const {
  std::string all;
  for (const auto& [name, p] : processes_) absl::StrAppend(&all, "--- ", name, ":\n", p->Log());
  return all;
}

}  // namespace skinlens::testing
