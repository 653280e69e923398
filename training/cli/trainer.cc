#include "training/cli/trainer.h"

#include <torch/serialize.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/model/model_bundle.h"
#include "common/model/skin_net.h"
#include "common/status/status_macros.h"
#include "training/cli/batch_producer.h"
#include "training/cli/calibration_report.h"
#include "training/cli/evaluation.h"
#include "training/cli/training_curves.h"
#include "training/losses/grade_loss.h"
#include "training/synth/progress_bar.h"
#include "training/train/train_step.h"

namespace skinlens::training {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kCheckpointDir[] = "checkpoint";
constexpr char kStateFile[] = "state.json";

absl::Status WriteTextFile(const fs::path& path, const std::string& text) {
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return absl::InternalError(absl::StrCat("cannot write '", temporary.string(), "'"));
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot rename to '", path.string(), "': ", error.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<json> ReadJsonFile(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path.string(), "'"));
  std::stringstream text;
  text << in.rdbuf();
  json parsed = json::parse(text.str(), nullptr, false);
  if (parsed.is_discarded()) {
    return absl::DataLossError(absl::StrCat("'", path.string(), "' is not valid JSON"));
  }
  return parsed;
}

model::SkinNetConfig NetworkConfig(const TrainRecipe& recipe) {
  model::SkinNetConfig config;
  if (recipe.architecture == model::kPlainCnnVariant) {
    config = model::PlainCnnSkinNetConfig(
        model::PlainCnnConfig{recipe.plain_channels, recipe.plain_strides});
    config.backbone.resolution = recipe.image_size;
    config.backbone.dropout = recipe.dropout;
    config.backbone.batch_norm_momentum = recipe.batch_norm_momentum;
    return config;
  }
  config.backbone.name = recipe.architecture;
  config.backbone.width_multiplier = recipe.width_multiplier;
  config.backbone.depth_multiplier = recipe.depth_multiplier;
  config.backbone.resolution = recipe.image_size;
  config.backbone.dropout = recipe.dropout;
  config.backbone.stochastic_depth = recipe.stochastic_depth;
  config.backbone.batch_norm_momentum = recipe.batch_norm_momentum;
  return config;
}

double LearningRate(const TrainRecipe& recipe, int64_t step, int64_t steps_per_epoch) {
  const double epoch = static_cast<double>(step) / steps_per_epoch;
  const double total = recipe.epochs;
  if (recipe.schedule == "constant") return recipe.learning_rate;
  if (recipe.schedule == "step") {
    return recipe.learning_rate *
           std::pow(recipe.step_gamma, std::floor(epoch / recipe.step_epochs));
  }
  // Cosine with linear warm-up.
  if (epoch < recipe.warmup_epochs) {
    return recipe.learning_rate * (epoch + 1.0 / steps_per_epoch) / recipe.warmup_epochs;
  }
  const double span = std::max(1e-9, total - recipe.warmup_epochs);
  const double progress = std::min(1.0, (epoch - recipe.warmup_epochs) / span);
  return recipe.learning_rate * 0.5 * (1.0 + std::cos(M_PI * progress));
}

std::vector<int> Grades(const std::vector<Sample>& samples, int attribute) {
  std::vector<int> grades;
  grades.reserve(samples.size());
  for (const Sample& s : samples) grades.push_back(s.grades[attribute]);
  return grades;
}

absl::StatusOr<std::vector<BatchTask>> MakeTasks(const TrainRecipe& recipe,
                                                 const std::vector<Sample>& train) {
  std::vector<BatchTask> tasks;
  auto make = [&](const nlohmann::json& augment, const std::optional<SamplerRecipe>& sampler,
                  int attribute, bool per_attribute) -> absl::StatusOr<BatchTask> {
    BatchTask task;
    if (!augment.empty()) {
      SKINLENS_ASSIGN_OR_RETURN(Compose compose, Compose::FromRecipe(augment));
      task.augment.emplace(std::move(compose));
    }
    if (per_attribute) {
      task.trains = {false, false, false, false, false};
      task.trains[attribute] = true;
    }
    if (sampler.has_value()) {
      ImbalancedSamplerOptions options;
      options.power = sampler->power;
      options.seed = recipe.seed + 7919 * static_cast<uint64_t>(attribute + 1);
      options.unlabelled =
          per_attribute ? UnlabelledPolicy::kExclude : UnlabelledPolicy::kKeepNaturalRate;
      SKINLENS_ASSIGN_OR_RETURN(ImbalancedSampler s,
                                ImbalancedSampler::Create(Grades(train, attribute), options));
      task.sampler = std::move(s);
    } else {
      for (size_t i = 0; i < train.size(); ++i) {
        if (!per_attribute || train[i].grades[attribute] >= 0) {
          task.eligible.push_back(static_cast<int64_t>(i));
        }
      }
    }
    return task;
  };
  if (recipe.mode == TrainingMode::kJoint) {
    SKINLENS_ASSIGN_OR_RETURN(BatchTask task, make(recipe.augment, recipe.sampler,
                                                   AttributeIndex(recipe.stratify_by), false));
    tasks.push_back(std::move(task));
    return tasks;
  }
  for (int a = 0; a < kNumAttributes; ++a) {
    const bool any_label = CountGrades(train, static_cast<Attribute>(a)).labelled() > 0;
    if (!any_label) continue;  // Nothing to learn for this head.
    const AttributeRecipe& r = recipe.attributes[a];
    SKINLENS_ASSIGN_OR_RETURN(BatchTask task, make(r.augment, r.sampler, a, true));
    tasks.push_back(std::move(task));
  }
  if (tasks.empty())
    return absl::InvalidArgumentError("no attribute is labelled in the training data");
  return tasks;
}

absl::StatusOr<std::vector<GradeLoss>> MakeLosses(const TrainRecipe& recipe,
                                                  const std::vector<Sample>& train) {
  std::vector<GradeLoss> losses;
  for (int a = 0; a < kNumAttributes; ++a) {
    GradeHistogram histogram = CountGrades(train, static_cast<Attribute>(a));
    std::vector<int64_t> counts(histogram.counts.begin(), histogram.counts.end());
    // Class-balanced losses need a count for every grade; an attribute with no
    // label at all is never trained, so any counts do.
    if (histogram.labelled() == 0) counts.assign(5, 1);
    const AttributeRecipe& r = recipe.attributes[a];
    absl::StatusOr<GradeLoss> loss = CreateGradeLoss(r.loss, r.loss_params, counts);
    if (!loss.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(AttributeName(static_cast<Attribute>(a)),
                                                     " loss: ", loss.status().message()));
    }
    losses.push_back(*std::move(loss));
  }
  return losses;
}

std::string Today() { return absl::FormatTime("%Y%m%d", absl::Now(), absl::UTCTimeZone()); }

// The progress of a run, as saved in checkpoint/state.json.
struct RunState {
  int64_t step = 0;  // steps done
  int epochs_completed = 0;
  int best_epoch = 0;
  double best_mean_p_recall = -1e9;
  std::vector<EpochPoint> curve;
  // The partial epoch's loss, so a resumed epoch reports the loss of all its steps.
  double epoch_loss_sum = 0;
  int64_t epoch_steps = 0;
};

json StateToJson(const RunState& state) {
  json curve = json::array();
  for (const EpochPoint& p : state.curve) {
    json recall = json::array();
    for (const auto& r : p.p_recall) recall.push_back(r.has_value() ? json(*r) : json(nullptr));
    curve.push_back(
        {{"epoch", p.epoch},
         {"train_loss", p.train_loss},
         {"p_recall", recall},
         {"mean_p_recall", p.mean_p_recall.has_value() ? json(*p.mean_p_recall) : json(nullptr)}});
  }
  return {{"step", state.step},
          {"epochs_completed", state.epochs_completed},
          {"best_epoch", state.best_epoch},
          {"best_mean_p_recall", state.best_mean_p_recall},
          {"epoch_loss_sum", state.epoch_loss_sum},
          {"epoch_steps", state.epoch_steps},
          {"curve", curve}};
}

absl::StatusOr<RunState> StateFromJson(const json& j, const std::string& source) {
  try {
    RunState state;
    state.step = j.at("step").get<int64_t>();
    state.epochs_completed = j.at("epochs_completed").get<int>();
    state.best_epoch = j.at("best_epoch").get<int>();
    state.best_mean_p_recall = j.at("best_mean_p_recall").get<double>();
    state.epoch_loss_sum = j.at("epoch_loss_sum").get<double>();
    state.epoch_steps = j.at("epoch_steps").get<int64_t>();
    for (const json& p : j.at("curve")) {
      EpochPoint point;
      point.epoch = p.at("epoch").get<int>();
      point.train_loss = p.at("train_loss").get<double>();
      for (int a = 0; a < kNumAttributes; ++a) {
        const json& r = p.at("p_recall").at(a);
        if (!r.is_null()) point.p_recall[a] = r.get<double>();
      }
      if (!p.at("mean_p_recall").is_null())
        point.mean_p_recall = p.at("mean_p_recall").get<double>();
      state.curve.push_back(point);
    }
    return state;
  } catch (const json::exception& e) {
    return absl::DataLossError(absl::StrCat("'", source, "' is damaged: ", e.what()));
  }
}

class Run {
 public:
  Run(const TrainRecipe& recipe, std::vector<Sample> train, std::vector<Sample> validation,
      const TrainerOptions& options)
      : recipe_(recipe),
        train_(std::move(train)),
        validation_(std::move(validation)),
        options_(options),
        dir_(options.run_dir) {}

  absl::StatusOr<TrainingSummary> Execute();

 private:
  absl::Status PrepareFolder();
  absl::Status SaveCheckpoint();
  absl::Status LoadCheckpoint();
  absl::Status EndEpoch(int epoch, double seconds, double images_per_second);
  absl::Status SaveBest(const Evaluation& evaluation);

  const TrainRecipe& recipe_;
  std::vector<Sample> train_;
  std::vector<Sample> validation_;
  const TrainerOptions& options_;
  const fs::path dir_;
  model::SkinNet net_{nullptr};
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  RunState state_;
  int64_t steps_per_epoch_ = 0;
  torch::Tensor validation_images_;
  std::array<double, kNumAttributes> attribute_loss_sum_ = {};
  std::array<int64_t, kNumAttributes> attribute_loss_steps_ = {};
};

absl::Status Run::PrepareFolder() {
  std::error_code error;
  fs::create_directories(dir_, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create run folder '", dir_.string(), "': ", error.message()));
  }
  const json recipe_json = RecipeToJson(recipe_);
  const fs::path recipe_path = dir_ / "recipe.json";
  const bool has_checkpoint = fs::exists(dir_ / kCheckpointDir / kStateFile);
  if (options_.resume) {
    if (!has_checkpoint) {
      return absl::FailedPreconditionError(absl::StrCat(
          "nothing to resume: '", (dir_ / kCheckpointDir).string(), "' holds no checkpoint"));
    }
    SKINLENS_ASSIGN_OR_RETURN(json saved, ReadJsonFile(recipe_path));
    if (saved != recipe_json) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the run in '", dir_.string(),
          "' was started with another recipe (see its recipe.json); resume with that recipe"));
    }
    return absl::OkStatus();
  }
  if (has_checkpoint || fs::exists(recipe_path)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "'", dir_.string(),
        "' already holds a run: pass --resume to continue it, or choose another --out"));
  }
  return WriteTextFile(recipe_path, recipe_json.dump(2) + "\n");
}

absl::Status Run::SaveCheckpoint() {
  const fs::path final_dir = dir_ / kCheckpointDir;
  const fs::path temporary = dir_ / (std::string(kCheckpointDir) + ".tmp");
  std::error_code error;
  fs::remove_all(temporary, error);
  fs::create_directories(temporary, error);
  try {
    torch::save(net_, (temporary / "model.pt").string());
    torch::save(*optimizer_, (temporary / "optimizer.pt").string());
  } catch (const c10::Error& e) {
    return absl::InternalError(
        absl::StrCat("cannot save the checkpoint: ", e.what_without_backtrace()));
  }
  SKINLENS_RETURN_IF_ERROR(
      WriteTextFile(temporary / kStateFile, StateToJson(state_).dump(1) + "\n"));
  // Swap in the complete new checkpoint: an interruption leaves either the old
  // or the new one, never a mix.
  const fs::path old = dir_ / (std::string(kCheckpointDir) + ".old");
  fs::remove_all(old, error);
  if (fs::exists(final_dir)) fs::rename(final_dir, old, error);
  fs::rename(temporary, final_dir, error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot install the checkpoint: ", error.message()));
  }
  fs::remove_all(old, error);
  return absl::OkStatus();
}

absl::Status Run::LoadCheckpoint() {
  const fs::path checkpoint = dir_ / kCheckpointDir;
  SKINLENS_ASSIGN_OR_RETURN(json state_json, ReadJsonFile(checkpoint / kStateFile));
  SKINLENS_ASSIGN_OR_RETURN(state_, StateFromJson(state_json, (checkpoint / kStateFile).string()));
  try {
    torch::load(net_, (checkpoint / "model.pt").string());
    torch::load(*optimizer_, (checkpoint / "optimizer.pt").string());
  } catch (const c10::Error& e) {
    return absl::DataLossError(absl::StrCat("cannot load the checkpoint in '", checkpoint.string(),
                                            "': ", e.what_without_backtrace()));
  }
  // Drop metric lines of an epoch that finished after the checkpoint was
  // saved (the run was killed in between): that epoch runs again.
  for (const char* name : {"metrics.jsonl", "confusion_matrices.jsonl"}) {
    std::ifstream in(dir_ / name);
    std::string kept, line;
    while (std::getline(in, line)) {
      json record = json::parse(line, nullptr, false);
      if (!record.is_discarded() && record.value("epoch", 0) <= state_.epochs_completed) {
        kept += line + "\n";
      }
    }
    SKINLENS_RETURN_IF_ERROR(WriteTextFile(dir_ / name, kept));
  }
  return absl::OkStatus();
}

absl::Status Run::SaveBest(const Evaluation& evaluation) {
  model::ModelMetadata metadata = model::DefaultMetadata(net_->config());
  metadata.input.height = recipe_.image_size;
  metadata.input.width = recipe_.image_size;
  metadata.model_version = options_.model_version.empty() ? absl::StrCat(recipe_.name, "-", Today())
                                                          : options_.model_version;
  metadata.training_data.description = options_.data_description.empty()
                                           ? absl::StrCat("recipe '", recipe_.name, "'")
                                           : options_.data_description;
  metadata.training_data.synthetic_only = options_.synthetic_data;
  metadata.training_data.num_train_images = static_cast<int64_t>(train_.size());
  metadata.training_data.num_validation_images = static_cast<int64_t>(validation_.size());
  for (int a = 0; a < kNumAttributes; ++a) {
    const auto& m = evaluation.metrics[a];
    if (!m.has_value()) continue;
    model::ValidationMetrics v;
    v.p_recall = m->p_recall;
    v.accuracy = m->accuracy;
    v.macro_f1 = m->macro_f1;
    v.mae = m->mean_absolute_error;
    v.num_samples = m->labelled;
    metadata.validation_metrics[metadata.attribute_names[a]] = v;
  }
  // Temperature scaling and abstain thresholds, fitted on the validation split.
  SKINLENS_ASSIGN_OR_RETURN(AttributeCalibrations calibrations,
                            FitCalibration(evaluation, validation_, options_.abstain_coverage));
  for (int a = 0; a < kNumAttributes; ++a) {
    if (!evaluation.metrics[a].has_value()) continue;
    metadata.calibration.attributes[metadata.attribute_names[a]] = calibrations[a];
  }
  metadata.calibration.fitted_on =
      absl::StrCat("validation split, ", validation_.size(), " images");
  metadata.calibration.target_coverage = options_.abstain_coverage;
  model::SaveBundleOptions save;
  save.overwrite = true;
  save.weights_dtype = options_.export_dtype;
  net_->eval();
  absl::StatusOr<model::ModelMetadata> saved =
      model::SaveBundle(*net_, metadata, (dir_ / "model").string(), save);
  return saved.status();
}

absl::Status Run::EndEpoch(int epoch, double seconds, double images_per_second) {
  net_->eval();
  Evaluation evaluation;
  {
    torch::NoGradGuard no_grad;
    auto logits = [&](const torch::Tensor& images) -> absl::StatusOr<torch::Tensor> {
      try {
        return net_->forward(images).logits;
      } catch (const c10::Error& e) {
        return absl::InternalError(e.what_without_backtrace());
      }
    };
    SKINLENS_ASSIGN_OR_RETURN(evaluation,
                              EvaluateModel(logits, validation_images_, validation_, 64));
  }
  EpochPoint point;
  point.epoch = epoch;
  point.train_loss = state_.epoch_steps > 0 ? state_.epoch_loss_sum / state_.epoch_steps : 0.0;
  point.mean_p_recall = MeanPRecall(evaluation);
  for (int a = 0; a < kNumAttributes; ++a) {
    if (evaluation.metrics[a].has_value()) point.p_recall[a] = evaluation.metrics[a]->p_recall;
  }
  state_.curve.push_back(point);

  json line = EvaluationToJson(evaluation);
  json confusion = {{"epoch", epoch}};
  json attribute_loss = json::object();
  for (auto& [name, metrics] : line["attributes"].items()) {
    confusion[name] = metrics["confusion"];
    metrics.erase("confusion");
  }
  for (int a = 0; a < kNumAttributes; ++a) {
    if (attribute_loss_steps_[a] == 0) continue;
    attribute_loss[std::string(AttributeName(static_cast<Attribute>(a)))] =
        attribute_loss_sum_[a] / attribute_loss_steps_[a];
  }
  json record = {{"epoch", epoch},
                 {"step", state_.step},
                 {"learning_rate", LearningRate(recipe_, state_.step - 1, steps_per_epoch_)},
                 {"train_loss", point.train_loss},
                 {"train_attribute_loss", attribute_loss},
                 {"seconds", seconds},
                 {"images_per_second", images_per_second},
                 {"validation", line}};
  {
    std::ofstream metrics(dir_ / "metrics.jsonl", std::ios::app);
    metrics << record.dump() << "\n";
    std::ofstream matrices(dir_ / "confusion_matrices.jsonl", std::ios::app);
    matrices << confusion.dump() << "\n";
    if (!metrics || !matrices) {
      return absl::InternalError(
          absl::StrCat("cannot append to the metrics in '", dir_.string(), "'"));
    }
  }
  SKINLENS_RETURN_IF_ERROR(WriteTrainingCurves(state_.curve, (dir_ / "curves.png").string()));

  const double mean = point.mean_p_recall.value_or(-1e9);
  std::string verdict;
  if (state_.best_epoch == 0 || mean > state_.best_mean_p_recall) {
    state_.best_mean_p_recall = mean;
    state_.best_epoch = epoch;
    SKINLENS_RETURN_IF_ERROR(SaveBest(evaluation));
    verdict = "  (best so far: saved to model/)";
  }
  std::fprintf(stderr, "epoch %d/%d: loss %.4f, validation mean P-Recall %.4f%s\n", epoch,
               recipe_.epochs, point.train_loss, mean, verdict.c_str());
  state_.epochs_completed = epoch;
  state_.epoch_loss_sum = 0;
  state_.epoch_steps = 0;
  attribute_loss_sum_ = {};
  attribute_loss_steps_ = {};
  return absl::OkStatus();
}

absl::StatusOr<TrainingSummary> Run::Execute() {
  if (train_.empty()) return absl::InvalidArgumentError("no training samples");
  if (validation_.empty()) return absl::InvalidArgumentError("no validation samples");
  if (options_.threads > 0) torch::set_num_threads(options_.threads);
  SKINLENS_RETURN_IF_ERROR(PrepareFolder());

  torch::manual_seed(recipe_.seed);
  SKINLENS_ASSIGN_OR_RETURN(net_, model::CreateSkinNet(NetworkConfig(recipe_)));
  optimizer_ = std::make_unique<torch::optim::AdamW>(
      net_->parameters(),
      torch::optim::AdamWOptions(recipe_.learning_rate).weight_decay(recipe_.weight_decay));
  if (options_.resume) SKINLENS_RETURN_IF_ERROR(LoadCheckpoint());

  SKINLENS_ASSIGN_OR_RETURN(std::vector<GradeLoss> losses, MakeLosses(recipe_, train_));
  SKINLENS_ASSIGN_OR_RETURN(std::vector<BatchTask> tasks, MakeTasks(recipe_, train_));
  steps_per_epoch_ =
      (static_cast<int64_t>(train_.size()) + recipe_.batch_size - 1) / recipe_.batch_size;
  const int64_t total_steps = steps_per_epoch_ * recipe_.epochs;

  TrainingSummary summary;
  summary.bundle_dir = (dir_ / "model").string();
  if (state_.step >= total_steps) {
    summary.epochs_completed = state_.epochs_completed;
    summary.best_epoch = state_.best_epoch;
    summary.best_mean_p_recall = state_.best_mean_p_recall;
    return summary;  // Already finished.
  }

  {
    ProgressBar bar("loading validation images", static_cast<int64_t>(validation_.size()), "img");
    SKINLENS_ASSIGN_OR_RETURN(validation_images_,
                              LoadEvaluationImages(validation_, recipe_.image_size,
                                                   kImageNetNormalization, [&](int64_t done) {
                                                     if (options_.progress) bar.Update(done);
                                                   }));
    if (options_.progress) bar.Finish(static_cast<int64_t>(validation_.size()));
  }

  int64_t end_step = total_steps;
  if (options_.stop_after_epochs > 0) {
    end_step = std::min(total_steps, (state_.step / steps_per_epoch_ + options_.stop_after_epochs) *
                                         steps_per_epoch_);
  }
  BatchProducerOptions producer_options;
  producer_options.batch_size = recipe_.batch_size;
  producer_options.image_size = recipe_.image_size;
  producer_options.seed = recipe_.seed;
  producer_options.first_step = state_.step;
  producer_options.end_step = end_step;
  SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<BatchProducer> producer,
                            BatchProducer::Start(train_, std::move(tasks), producer_options));

  const absl::Time start = absl::Now();
  absl::Time epoch_start = start;
  int64_t epoch_images = 0;
  int64_t images = 0;
  std::optional<ProgressBar> bar;
  while (state_.step < end_step) {
    const int epoch = static_cast<int>(state_.step / steps_per_epoch_) + 1;
    const int64_t in_epoch = state_.step % steps_per_epoch_;
    if (options_.progress && !bar.has_value()) {
      bar.emplace(absl::StrFormat("epoch %d/%d", epoch, recipe_.epochs), steps_per_epoch_, "step");
    }
    SKINLENS_ASSIGN_OR_RETURN(TrainingBatch batch, producer->Next());
    const double lr = LearningRate(recipe_, state_.step, steps_per_epoch_);
    for (auto& group : optimizer_->param_groups()) group.options().set_lr(lr);
    SKINLENS_ASSIGN_OR_RETURN(StepResult step,
                              TrainStep(net_, *optimizer_, batch.images, batch.labels, losses));
    if (!std::isfinite(step.total_loss)) {
      if (bar.has_value()) bar->Abandon();
      return absl::InternalError(
          absl::StrCat("the training loss is not finite at step ", state_.step,
                       ": lower the learning rate in the recipe (the last checkpoint is kept)"));
    }
    ++state_.step;
    ++state_.epoch_steps;
    state_.epoch_loss_sum += step.total_loss;
    for (int a = 0; a < kNumAttributes; ++a) {
      // Only the attributes this batch trained (the others were masked).
      if (batch.labels.select(1, a).ge(0).any().item<bool>()) {
        attribute_loss_sum_[a] += step.attribute_losses[a];
        ++attribute_loss_steps_[a];
      }
    }
    images += batch.images.size(0);
    epoch_images += batch.images.size(0);
    if (bar.has_value()) bar->Update(in_epoch + 1);

    if (state_.step % steps_per_epoch_ == 0) {
      if (bar.has_value()) bar->Finish(steps_per_epoch_);
      bar.reset();
      const double seconds = absl::ToDoubleSeconds(absl::Now() - epoch_start);
      SKINLENS_RETURN_IF_ERROR(
          EndEpoch(epoch, seconds, seconds > 0 ? epoch_images / seconds : 0.0));
      SKINLENS_RETURN_IF_ERROR(SaveCheckpoint());
      epoch_start = absl::Now();
      epoch_images = 0;
    }
    if (options_.stop_requested != nullptr && options_.stop_requested->load() &&
        state_.step < end_step) {
      if (bar.has_value()) bar->Abandon();
      SKINLENS_RETURN_IF_ERROR(SaveCheckpoint());
      summary.interrupted = true;
      break;
    }
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  summary.epochs_completed = state_.epochs_completed;
  summary.best_epoch = state_.best_epoch;
  summary.best_mean_p_recall = state_.best_mean_p_recall;
  summary.train_seconds = seconds;
  summary.images_per_second = seconds > 0 ? images / seconds : 0.0;
  return summary;
}

}  // namespace

absl::StatusOr<TrainingSummary> Train(const TrainRecipe& recipe, std::vector<Sample> train,
                                      std::vector<Sample> validation,
                                      const TrainerOptions& options) {
  if (options.run_dir.empty()) return absl::InvalidArgumentError("no run folder given");
  Run run(recipe, std::move(train), std::move(validation), options);
  return run.Execute();
}

}  // namespace skinlens::training
