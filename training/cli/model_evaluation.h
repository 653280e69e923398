// Evaluating a model file on a labelled dataset, as skinlens-eval and
// skinlens-calibrate both do: load the model (a bundle folder or a
// TorchScript file), read the data, load the images at the model's input
// size and normalisation, and run EvaluateModel with progress bars.
//
//   SKINLENS_ASSIGN_OR_RETURN(ModelOnData run, EvaluateModelOnData("models/demo", "data/test",
//   32)); std::cout << EvaluationTable(run.evaluation);
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/model/model_metadata.h"
#include "training/cli/evaluation.h"
#include "training/data/dataset.h"

namespace skinlens::training {

// A model's evaluation and what it was computed on.
struct ModelOnData {
  model::ModelMetadata metadata;  // The model's (TorchScript: as its loader describes it).
  std::vector<Sample> samples;    // The readable samples, in the dataset's order.
  Evaluation evaluation;          // With logits per sample.
};

// Errors: the loader's (NOT_FOUND, FAILED_PRECONDITION for a bad bundle), the
// reader's (an unreadable dataset), FAILED_PRECONDITION for a non-square
// input. Bad files in the dataset are left out with a report on stderr.
// With `white_balance`, each image is corrected to neutral light first, as
// the preprocess service corrects its crops (services/preprocess/white_balance.h;
// the image is its own frame).
absl::StatusOr<ModelOnData> EvaluateModelOnData(absl::string_view model_path,
                                                absl::string_view data_path, int batch_size,
                                                bool white_balance = false);

}  // namespace skinlens::training
