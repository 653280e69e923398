// All six SkinLens services as child processes on loopback, for system tests:
// a tiny random-weight model (fast; the tests are about the system, not the
// grades), SQLite files or a given PostgreSQL, a fresh user assertion secret.
// Backends can be killed, frozen and restarted on their ports; the gateway
// keeps its targets.
//
//   ServiceCluster cluster(dir, binaries);
//   ASSERT_NO_FATAL_FAILURE(cluster.Start({"--inference_deadline=2s"}));
//   cluster.process("inference").Signal(SIGKILL);
//   cluster.StartService("inference");            // same port
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server_process.h"

namespace skinlens::testing {

// Paths of the six service binaries.
struct ServiceBinaries {
  std::string auth, preprocess, inference, explain, history, gateway;
};

class ServiceCluster {
 public:
  // Files go to `dir` (which must exist). `database_url` empty: SQLite files
  // in `dir`; otherwise auth and history share that database.
  ServiceCluster(std::filesystem::path dir, ServiceBinaries binaries, std::string database_url = "",
                 std::vector<std::string> auth_flags = {});

  // Writes the model and the secret, starts the five backends, then the
  // gateway with `gateway_flags` added. Fails the test (gtest assertions) if
  // a service does not come up; call it in ASSERT_NO_FATAL_FAILURE.
  void Start(const std::vector<std::string>& gateway_flags = {});

  // Starts (or restarts, on its previous port) one service.
  void StartService(const std::string& name);

  ServerProcess& process(const std::string& name) { return *processes_.at(name); }
  // "127.0.0.1:<grpc port>".
  std::string address(const std::string& name) const { return processes_.at(name)->address(); }
  // The gateway's HTTP port.
  int http_port() const { return http_port_; }

  // Every service's log, for failure messages.
  std::string Logs() const;

 private:
  std::filesystem::path dir_;
  ServiceBinaries binaries_;
  std::string database_url_;
  std::vector<std::string> auth_flags_;
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> commands_;
  std::map<std::string, std::string> ports_;
  std::map<std::string, std::unique_ptr<ServerProcess>> processes_;
  int http_port_ = 0;
};

}  // namespace skinlens::testing
