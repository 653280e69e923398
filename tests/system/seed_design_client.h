// The front end of the seed's design (tests/seed_design): every photo posted
// to all five attribute servers at once, as multipart field "file"; a photo is
// done when all five have answered (and their JSON, with the overlay as a list
// of pixels, is parsed, as the browser did). For the design comparison in
// docs/BENCHMARKS.md only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "load_generator.h"

namespace skinlens::load {

// Runs `options` against the servers at `urls` ("http://127.0.0.1:8101", one
// per attribute). Errors are named "HTTP_<status>", "CONNECTION" or
// "BAD_RESPONSE"; a photo fails when any of its five calls does.
LoadReport RunSeedDesignLoad(const LoadOptions& options, const std::vector<std::string>& urls,
                             const std::function<void(const LoadProgress&)>& progress = {});

}  // namespace skinlens::load
