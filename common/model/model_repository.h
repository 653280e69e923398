// The served model of a service and how it is replaced, the same in
// inference and explain. Calls take current() and keep that shared_ptr while
// they run, so a swap never drops a call: the old model goes when its last
// call is done. A reload (the ReloadModel RPC, SIGHUP) resolves the requested
// path by bundle_path.h's rule, loads it with the service's loader, and swaps
// it in; while one reload loads, another gets ABORTED; a failed load leaves
// the old model serving. The model replaced last is kept as previous(), for
// calls whose inputs came from it (explain matches feature maps by version).
//
//   ModelRepository<ServedModel> models(
//       {options.model_path, options.model_dir},
//       [](const std::string& path) { return ServedModel::Load(path, settings); },
//       [](const ServedModel& m) { return m.info().version(); });
//   absl::StatusOr<ModelRepository<ServedModel>::Swap> swapped = models.Reload(std::nullopt);
//   std::shared_ptr<const ServedModel> model = models.current();
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/model/bundle_path.h"

namespace skinlens::model {

template <typename Model>
class ModelRepository {
 public:
  // Loads the bundle at a resolved path (errors as the service documents).
  using Loader = std::function<absl::StatusOr<std::shared_ptr<const Model>>(const std::string&)>;
  // A model's version (ModelInfo.version).
  using VersionOf = std::function<std::string(const Model&)>;

  // What a successful reload swapped.
  struct Swap {
    std::shared_ptr<const Model> previous;  // Null when none was loaded.
    std::shared_ptr<const Model> current;
    std::string path;  // The bundle loaded, resolved.
  };

  ModelRepository(BundleLocation location, Loader loader, VersionOf version_of,
                  std::shared_ptr<const Model> initial = nullptr)
      : location_(std::move(location)),
        loader_(std::move(loader)),
        version_of_(std::move(version_of)),
        current_(std::move(initial)) {}

  // The model new calls use; null before the first load.
  std::shared_ptr<const Model> current() const {
    absl::MutexLock lock(&mu_);
    return current_;
  }

  // The model the last version-changing reload replaced; null when none.
  std::shared_ptr<const Model> previous() const {
    absl::MutexLock lock(&mu_);
    return previous_;
  }

  // current() or previous(), whichever has `version`; null when neither.
  std::shared_ptr<const Model> WithVersion(const std::string& version) const {
    absl::MutexLock lock(&mu_);
    if (current_ != nullptr && version_of_(*current_) == version) return current_;
    if (previous_ != nullptr && version_of_(*previous_) == version) return previous_;
    return nullptr;
  }

  // Loads `requested` (nullopt: the configured bundle as it is on disk now)
  // and swaps it in. The path's errors (bundle_path.h), the loader's, or
  // ABORTED while another reload loads; the old model stays on any error.
  absl::StatusOr<Swap> Reload(const std::optional<std::string>& requested) {
    absl::StatusOr<std::string> path = ResolveBundlePath(location_, requested);
    if (!path.ok()) return path.status();
    if (!reload_mu_.TryLock()) {
      return absl::AbortedError("another reload is in progress; retry later");
    }
    absl::StatusOr<Swap> swapped = LoadAndSwapLocked(*path);
    reload_mu_.Unlock();
    return swapped;
  }

 private:
  absl::StatusOr<Swap> LoadAndSwapLocked(const std::string& path)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_) {
    absl::StatusOr<std::shared_ptr<const Model>> loaded = loader_(path);
    if (!loaded.ok()) return loaded.status();
    Swap swap{nullptr, *loaded, path};
    absl::MutexLock lock(&mu_);
    swap.previous = current_;
    // A reload of an unchanged bundle must not push out the real previous one.
    if (current_ != nullptr && version_of_(*current_) != version_of_(**loaded)) {
      previous_ = current_;
    }
    current_ = *std::move(loaded);
    return swap;
  }

  const BundleLocation location_;
  const Loader loader_;
  const VersionOf version_of_;
  absl::Mutex reload_mu_;  // Held while a reload loads.
  mutable absl::Mutex mu_;
  std::shared_ptr<const Model> current_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const Model> previous_ ABSL_GUARDED_BY(mu_);
};

}  // namespace skinlens::model
