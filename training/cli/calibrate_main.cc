// skinlens-calibrate: fits a bundle's calibration on labelled held-out data
// and writes the bundle again with it: per attribute the temperature that
// minimises the negative log-likelihood (temperature scaling) and the
// abstain threshold that answers --coverage of the samples. skinlens-train
// does this on its validation split; this tool is for a bundle trained
// before, or to calibrate on other data. The weights are unchanged.
#include <cstdio>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "common/config/config.h"
#include "common/model/model_bundle.h"
#include "training/cli/calibration_report.h"
#include "training/cli/model_evaluation.h"

ABSL_FLAG(std::string, model, "", "model bundle folder to calibrate");
ABSL_FLAG(std::string, data, "",
          "labelled held-out data (seed format folder or CSV manifest) no training run used");
ABSL_FLAG(double, coverage, 0.9, "share of the samples the abstain thresholds answer, (0, 1]");
ABSL_FLAG(std::string, out, "", "bundle folder to write (may be --model itself)");
ABSL_FLAG(std::string, fitted_on, "",
          "what the data is, for the model card (default: the --data path and its size)");
ABSL_FLAG(int, batch_size, 32, "images per forward pass");

namespace skinlens::training {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "skinlens-calibrate: %s\n", std::string(status.message()).c_str());
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

int Run() {
  const std::string model_dir = absl::GetFlag(FLAGS_model);
  const std::string out_dir = absl::GetFlag(FLAGS_out);
  if (model_dir.empty() || absl::GetFlag(FLAGS_data).empty() || out_dir.empty()) {
    return Fail(absl::InvalidArgumentError("give --model, --data and --out (see --help)"));
  }
  const double coverage = absl::GetFlag(FLAGS_coverage);
  if (!(coverage > 0 && coverage <= 1)) {
    return Fail(absl::InvalidArgumentError("--coverage must be in (0, 1]"));
  }
  absl::StatusOr<model::ModelBundle> bundle = model::LoadBundle(model_dir);
  if (!bundle.ok()) return Fail(bundle.status());
  absl::StatusOr<ModelOnData> run =
      EvaluateModelOnData(model_dir, absl::GetFlag(FLAGS_data), absl::GetFlag(FLAGS_batch_size));
  if (!run.ok()) return Fail(run.status());
  absl::StatusOr<AttributeCalibrations> fitted =
      FitCalibration(run->evaluation, run->samples, coverage);
  if (!fitted.ok()) return Fail(fitted.status());

  model::ModelMetadata metadata = bundle->metadata;
  metadata.calibration.attributes.clear();
  for (Attribute a : kAllAttributes) {
    if (!run->evaluation.metrics[AttributeIndex(a)].has_value()) continue;
    metadata.calibration.attributes[std::string(AttributeName(a))] = (*fitted)[AttributeIndex(a)];
  }
  metadata.calibration.target_coverage = coverage;
  metadata.calibration.fitted_on =
      absl::GetFlag(FLAGS_fitted_on).empty()
          ? absl::StrCat("'", absl::GetFlag(FLAGS_data), "', ", run->samples.size(), " images")
          : absl::GetFlag(FLAGS_fitted_on);
  model::SaveBundleOptions save;
  save.overwrite = true;
  save.weights_dtype = bundle->metadata.weights.dtype;
  // SaveBundle writes the weights again (the same values) and a new digest.
  bundle->net->eval();
  absl::StatusOr<model::ModelMetadata> saved =
      model::SaveBundle(*bundle->net, metadata, out_dir, save);
  if (!saved.ok()) return Fail(saved.status());
  std::cout << CalibrationAndFairnessTables(run->evaluation, run->samples, *fitted);
  std::fprintf(stderr, "skinlens-calibrate: wrote %s\n", out_dir.c_str());
  return 0;
}

}  // namespace
}  // namespace skinlens::training

int main(int argc, char** argv) {
  skinlens::InitCommandLine(argc, argv,
                            "skinlens-calibrate: fits a bundle's temperatures and abstain "
                            "thresholds on held-out data.\n"
                            "  skinlens-calibrate --model models/demo --data DIR --out DIR "
                            "[--coverage 0.9]");
  return skinlens::training::Run();
}
