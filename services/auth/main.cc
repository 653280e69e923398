// skinlens-auth: accounts, password checks and sessions (skinlens.v1.AuthService).
#include "absl/flags/flag.h"
#include "common/config/config.h"
#include "common/config/large_allocations.h"
#include "common/grpc/server_runner.h"
#include "common/logging/logging.h"
#include "common/storage/auth_store.h"
#include "services/auth/account_manager.h"
#include "services/auth/auth_service.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, database_url, "sqlite:auth.db",
          "Where accounts live: sqlite:<path> (the embedded default) or "
          "postgresql://user:password@host:port/db");
ABSL_FLAG(uint32_t, argon2_memory_kib, 19456,
          "argon2id memory per password hash in KiB (at least 19456, OWASP)");
ABSL_FLAG(uint32_t, argon2_iterations, 2, "argon2id passes (at least 2, OWASP)");
ABSL_FLAG(std::string, caller_key_file, "",
          "Required. File holding the secret (at least 32 bytes) shared with skinlens-gateway: "
          "auth answers only calls the gateway signed with it, and throttles on the client "
          "address the gateway signed. Create one with `head -c 32 /dev/urandom | base64 > FILE`");
ABSL_FLAG(absl::Duration, session_lifetime, absl::Hours(24 * 30), "Absolute lifetime of a session");
ABSL_FLAG(absl::Duration, session_idle_timeout, absl::Hours(24 * 7),
          "A session ends after this long without use");

int main(int argc, char** argv) {
  skinlens::KeepLargeAllocationsInProcess();
  skinlens::InitCommandLine(argc, argv, "skinlens-auth: accounts, passwords and sessions");
  if (absl::Status s = skinlens::SetupLoggingFromFlags("auth"); !s.ok()) {
    spdlog::critical("{}", s.ToString());
    return 2;
  }
  skinlens::auth::AccountOptions options;
  options.hashing = {absl::GetFlag(FLAGS_argon2_memory_kib),
                     absl::GetFlag(FLAGS_argon2_iterations)};
  if (options.hashing.memory_kib < skinlens::auth::kMinimumProductionParams.memory_kib ||
      options.hashing.iterations < skinlens::auth::kMinimumProductionParams.iterations) {
    spdlog::critical(
        "--argon2_memory_kib/--argon2_iterations below OWASP's minimum (19456 KiB, 2)");
    return 2;
  }
  options.session_lifetime = absl::GetFlag(FLAGS_session_lifetime);
  options.idle_timeout = absl::GetFlag(FLAGS_session_idle_timeout);

  auto caller_key = skinlens::CallAssertionKey::FromFlag(absl::GetFlag(FLAGS_caller_key_file),
                                                         "--caller_key_file", "skinlens-gateway");
  if (!caller_key.ok()) {
    spdlog::critical("{}", std::string(caller_key.status().message()));
    return 2;
  }
  auto store = skinlens::storage::OpenAuthStore(absl::GetFlag(FLAGS_database_url));
  if (!store.ok()) {
    spdlog::critical("cannot open the account database: {}", store.status().ToString());
    return 1;
  }
  auto manager = skinlens::auth::AccountManager::Create(std::move(*store), options);
  if (!manager.ok()) {
    spdlog::critical("{}", manager.status().ToString());
    return 2;
  }
  skinlens::auth::AuthService service(manager->get(), *std::move(caller_key));
  return skinlens::RunServer(skinlens::ServerOptionsFromFlags("auth"),
                             {{skinlens::v1::AuthService::service_full_name(), &service}});
}
