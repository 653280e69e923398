// skinlens-train: trains a SkinLens grading model from a recipe and a dataset
// in the seed's format (or a CSV manifest) and writes a run folder whose
// model/ is a bundle the services load. See training/README.md.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "training/cli/recipe.h"
#include "training/cli/trainer.h"
#include "training/data/dataset_reader.h"

ABSL_FLAG(std::string, recipe, "",
          "recipe file, JSON or YAML (.yaml/.yml) (see training/recipes/README.md)");
ABSL_FLAG(std::string, data, "",
          "training data: a folder in the seed's format (image + same-name .json) or a CSV "
          "manifest");
ABSL_FLAG(std::string, validation_data, "",
          "separate validation data (same formats); empty: split --data as the recipe says");
ABSL_FLAG(std::string, out, "", "run folder to write (refused if it already holds a run)");
ABSL_FLAG(bool, resume, false, "continue the run in --out from its checkpoint");
ABSL_FLAG(int, epochs, 0, "override the recipe's number of epochs (0: keep it)");
ABSL_FLAG(int, threads, 0, "LibTorch threads (0: one per core)");
ABSL_FLAG(bool, fp16, false, "store the exported bundle's weights as float16 (half the size)");
ABSL_FLAG(std::string, model_version, "",
          "the bundle's model_version (default: <recipe name>-<date>)");
ABSL_FLAG(std::string, data_description, "",
          "what the model was trained on, written into the bundle (its model card)");
ABSL_FLAG(bool, synthetic_data, false,
          "the data is synthetic (skinlens-synth): mark the bundle as a demo model whose grades "
          "mean nothing for real faces");
ABSL_FLAG(bool, skip_bad_files, true,
          "leave out unreadable or mislabelled files (each is listed); false: refuse the data");

namespace skinlens::training {
namespace {

std::atomic<bool> g_stop{false};

void OnInterrupt(int) {
  if (g_stop.exchange(true)) {
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);  // A second Ctrl-C stops at once.
  }
  static const char kMessage[] =
      "\nskinlens-train: interrupted; saving a checkpoint after this step (Ctrl-C again to "
      "quit at once)\n";
  [[maybe_unused]] auto ignored = write(2, kMessage, sizeof(kMessage) - 1);
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "skinlens-train: %s\n", std::string(status.message()).c_str());
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

absl::StatusOr<Dataset> Read(const std::string& path, const char* what) {
  DatasetReadOptions options;
  options.bad_file_policy =
      absl::GetFlag(FLAGS_skip_bad_files) ? BadFilePolicy::kSkip : BadFilePolicy::kFail;
  absl::StatusOr<Dataset> data = ReadDataset(path, options);
  if (!data.ok()) return data.status();
  if (!data->bad_files.empty()) {
    std::fprintf(stderr, "skinlens-train: %zu bad file(s) left out of the %s data:\n%s\n",
                 data->bad_files.size(), what, BadFileReport(data->bad_files, 20).c_str());
  }
  if (data->samples.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no usable sample in '", path, "'"));
  }
  return data;
}

int Run() {
  if (absl::GetFlag(FLAGS_recipe).empty() || absl::GetFlag(FLAGS_data).empty() ||
      absl::GetFlag(FLAGS_out).empty()) {
    return Fail(absl::InvalidArgumentError("--recipe, --data and --out are required (see --help)"));
  }
  absl::StatusOr<TrainRecipe> recipe = ReadRecipeFile(absl::GetFlag(FLAGS_recipe));
  if (!recipe.ok()) return Fail(recipe.status());
  if (absl::GetFlag(FLAGS_epochs) > 0) recipe->epochs = absl::GetFlag(FLAGS_epochs);

  absl::StatusOr<Dataset> data = Read(absl::GetFlag(FLAGS_data), "training");
  if (!data.ok()) return Fail(data.status());
  std::vector<Sample> train, validation;
  if (const std::string path = absl::GetFlag(FLAGS_validation_data); !path.empty()) {
    absl::StatusOr<Dataset> held_out = Read(path, "validation");
    if (!held_out.ok()) return Fail(held_out.status());
    train = std::move(data->samples);
    validation = std::move(held_out->samples);
  } else {
    SplitOptions split;
    split.stratify_by = recipe->stratify_by;
    split.validation_fraction = recipe->validation_fraction;
    split.seed = recipe->seed;
    absl::StatusOr<SplitIndices> indices = StratifiedSplit(data->samples, split);
    if (!indices.ok()) return Fail(indices.status());
    train = SelectSamples(data->samples, indices->train);
    validation = SelectSamples(data->samples, indices->validation);
  }
  std::fprintf(stderr,
               "skinlens-train: recipe '%s' (%s mode, %s at %d px), %zu training and %zu "
               "validation images, %d epochs of batch %d -> %s\n",
               recipe->name.c_str(), std::string(TrainingModeName(recipe->mode)).c_str(),
               recipe->architecture.c_str(), recipe->image_size, train.size(), validation.size(),
               recipe->epochs, recipe->batch_size, absl::GetFlag(FLAGS_out).c_str());

  TrainerOptions options;
  options.run_dir = absl::GetFlag(FLAGS_out);
  options.resume = absl::GetFlag(FLAGS_resume);
  options.threads = absl::GetFlag(FLAGS_threads);
  options.export_dtype =
      absl::GetFlag(FLAGS_fp16) ? model::WeightsDtype::kFloat16 : model::WeightsDtype::kFloat32;
  options.model_version = absl::GetFlag(FLAGS_model_version);
  options.data_description = absl::GetFlag(FLAGS_data_description);
  options.synthetic_data = absl::GetFlag(FLAGS_synthetic_data);
  options.stop_requested = &g_stop;
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);

  absl::StatusOr<TrainingSummary> summary =
      Train(*recipe, std::move(train), std::move(validation), options);
  if (!summary.ok()) return Fail(summary.status());
  if (summary->interrupted) {
    std::fprintf(stderr,
                 "skinlens-train: stopped after %d epoch(s); continue with the same command and "
                 "--resume\n",
                 summary->epochs_completed);
    return 130;
  }
  std::fprintf(stderr,
               "skinlens-train: done: %d epochs, best mean validation P-Recall %.4f at epoch %d; "
               "%.1f training images/s; bundle in %s\n",
               summary->epochs_completed, summary->best_mean_p_recall, summary->best_epoch,
               summary->images_per_second, summary->bundle_dir.c_str());
  return 0;
}

}  // namespace
}  // namespace skinlens::training

int main(int argc, char** argv) {
  skinlens::InitCommandLine(
      argc, argv,
      "skinlens-train: trains a grading model from a recipe.\n"
      "  skinlens-train --recipe training/recipes/seed.json --data DIR --out runs/seed\n"
      "Ctrl-C saves a checkpoint; rerun with --resume to continue.");
  return skinlens::training::Run();
}
