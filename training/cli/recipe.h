// A training recipe: everything skinlens-train needs besides the data — the
// network, the optimiser and its schedule, the split, and per attribute the
// loss, the augmentations and the sampler (the seed's per-attribute recipe).
//
//   SKINLENS_ASSIGN_OR_RETURN(TrainRecipe recipe, ReadRecipeFile("training/recipes/seed.json"));
//   nlohmann::json used = RecipeToJson(recipe);  // every default written out
//
// The format (JSON, or the same tree in YAML) is documented in
// training/recipes/README.md. Unknown keys are
// refused (a typo must not silently fall back to a default).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "training/data/attributes.h"

namespace skinlens::training {

// How the attributes share the training steps.
enum class TrainingMode {
  // Every step trains all five heads on one batch: one augmentation pipeline
  // and one sampler for all attributes (cheapest; the baseline).
  kJoint,
  // The seed's way on a shared backbone: steps rotate over the attributes; a
  // step for attribute a draws its batch with a's sampler, augments it with
  // a's pipeline and trains only a's head (the other labels are masked), so
  // an augmentation that would falsify another attribute's label (a colour
  // shift and redness, say) never trains that attribute's head.
  kPerAttribute,
};

// Balancing of one task's batches (ImbalancedSampler); absent = uniform
// shuffling.
struct SamplerRecipe {
  double power = 0.0;  // 0 = every grade equally often, 1 = natural frequencies
};

// One attribute's settings.
struct AttributeRecipe {
  std::string loss = "ce";  // a CreateGradeLoss() name
  nlohmann::json loss_params = nlohmann::json::object();
  nlohmann::json augment = nlohmann::json::array();  // a Compose recipe
  std::optional<SamplerRecipe> sampler;
};

struct TrainRecipe {
  std::string name;
  std::string description;

  // The network: a published EfficientNet ("efficientnet-b0" .. "-b4"), "plain-cnn"
  // (layers below), or any other name with explicit multipliers (small EfficientNet
  // variants for tests).
  std::string architecture = "efficientnet-b0";
  // "plain-cnn" only: 3x3 conv layers' output channels and strides (1 or 2).
  std::vector<int> plain_channels = {16, 32, 32, 64, 64, 128, 128};
  std::vector<int> plain_strides = {2, 2, 1, 2, 1, 2, 1};
  double width_multiplier = 1.0;
  double depth_multiplier = 1.0;
  int image_size = 128;  // the network's input; every augmented image is resized to it
  double dropout = 0.2;
  double stochastic_depth = 0.2;
  double batch_norm_momentum = 0.1;

  // AdamW.
  double learning_rate = 1e-3;
  double weight_decay = 1e-2;
  // "cosine" (with linear warm-up), "step" (times gamma every step_epochs) or
  // "constant".
  std::string schedule = "cosine";
  int warmup_epochs = 0;
  int step_epochs = 5;
  double step_gamma = 0.1;

  int epochs = 10;
  int batch_size = 32;
  uint64_t seed = 1;

  // Train/validation split of one folder (ignored when a validation folder is
  // given): stratified by `stratify_by`.
  double validation_fraction = 0.2;
  Attribute stratify_by = Attribute::kOil;

  TrainingMode mode = TrainingMode::kJoint;
  // kJoint: the pipeline and sampler of every batch (the sampler balances
  // `stratify_by`). kPerAttribute: the defaults of attributes that name none.
  nlohmann::json augment = nlohmann::json::array();
  std::optional<SamplerRecipe> sampler;
  std::array<AttributeRecipe, kNumAttributes> attributes;
};

// Parses and validates a recipe. INVALID_ARGUMENT naming `source` and the key
// for an unknown key, a wrong type or a value out of range. Loss names and
// augmentation pipelines are checked too (by building them once).
absl::StatusOr<TrainRecipe> ParseRecipe(const nlohmann::json& json, absl::string_view source);

// Reads and parses a recipe file: YAML when it ends in .yaml or .yml, JSON
// otherwise. NOT_FOUND if it does not exist.
absl::StatusOr<TrainRecipe> ReadRecipeFile(absl::string_view path);

// The recipe with every setting written out; ParseRecipe(RecipeToJson(r))
// gives r back.
nlohmann::json RecipeToJson(const TrainRecipe& recipe);

absl::string_view TrainingModeName(TrainingMode mode);

}  // namespace skinlens::training
