// skinlens-retest: test-retest noise of a model. Diagnoses the same face many
// times under random capture changes (capture_variation.h) through the real
// preprocessing (quality gate, crops, white balance) and the model, and
// reports per attribute the standard deviation of the photo-level expected
// score and how often the grade differs from the face's usual one. Synthetic
// generator crops (--crops) are varied and graded directly, as a second view
// (without white balance: a crop has no frame to estimate the light on).
// --write_bundle stores the photo figures in a copy of the bundle, from which
// trends draw their noise bands.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/config/config.h"
#include "common/model/model_bundle.h"
#include "nlohmann/json.hpp"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "services/inference/photo_aggregation.h"
#include "services/inference/served_model.h"
#include "services/preprocess/preprocessor.h"
#include "training/data/attributes.h"
#include "training/retest/capture_variation.h"
#include "training/synth/progress_bar.h"

ABSL_FLAG(std::string, model, "models/demo", "model bundle folder (or TorchScript file)");
ABSL_FLAG(std::string, photos, "tests/data/astronaut.jpg", "comma-separated face photos");
ABSL_FLAG(std::string, crops, "",
          "optional folder of synthetic region images (skinlens-synth's images/) to vary too");
ABSL_FLAG(int, max_crops, 20, "at most this many images from --crops");
ABSL_FLAG(int, scans, 30, "repeat scans per photo or crop");
ABSL_FLAG(std::string, vary, "all", "what changes between scans: all, or colour (light only)");
ABSL_FLAG(bool, white_balance, true, "preprocessing corrects the crops to neutral light");
ABSL_FLAG(double, kelvin, 0,
          "light of every scan fixed at this colour temperature (e.g. 3000 for a warm lamp); "
          "0 draws it from 2,700-6,500 K");
ABSL_FLAG(int, seed, 7, "random seed of the capture changes");
ABSL_FLAG(bool, json, false, "print JSON instead of the table");
ABSL_FLAG(std::string, write_bundle, "",
          "write a copy of --model with the photo figures as its retest noise to this folder");

namespace skinlens::training {
namespace {

namespace fs = std::filesystem;
using inference::ServedModel;

// Expected scores and grades of one subject (photo or crop), per attribute.
struct Subject {
  std::string name;
  std::array<std::vector<double>, kNumAttributes> scores;
  std::array<std::vector<int>, kNumAttributes> grades;
  int refused = 0;  // scans the quality gate refused
};

// Pooled figures over subjects.
struct Noise {
  double sd = 0;         // sqrt of the mean within-subject variance
  double flip_rate = 0;  // share of scans whose grade is not the subject's most common
  int64_t scans = 0;
};

Noise Pool(const std::vector<Subject>& subjects, int a) {
  double variance = 0, flips = 0;
  int counted = 0;
  Noise out;
  for (const Subject& s : subjects) {
    const std::vector<double>& x = s.scores[a];
    if (x.size() < 2) continue;
    double mean = 0;
    for (double v : x) mean += v;
    mean /= x.size();
    double ss = 0;
    for (double v : x) ss += (v - mean) * (v - mean);
    variance += ss / (x.size() - 1);
    std::map<int, int> counts;
    for (int g : s.grades[a]) ++counts[g];
    int mode = 0;
    for (const auto& [g, n] : counts) mode = std::max(mode, n);
    flips += 1.0 - double(mode) / s.grades[a].size();
    out.scans += static_cast<int64_t>(x.size());
    ++counted;
  }
  if (counted == 0) return out;
  out.sd = std::sqrt(variance / counted);
  out.flip_rate = flips / counted;
  return out;
}

double Expected(const float* p, int grades) {
  double e = 0;
  for (int k = 0; k < grades; ++k) e += k * p[k];
  return e;
}

absl::StatusOr<std::vector<float>> Probabilities(const ServedModel& model,
                                                 const std::vector<cv::Mat>& crops) {
  std::vector<torch::Tensor> inputs;
  for (const cv::Mat& c : crops) {
    inputs.push_back(model.PrepareCrop(
        absl::string_view(reinterpret_cast<const char*>(c.data), c.total() * c.elemSize()), c.cols,
        c.rows, v1::PIXEL_FORMAT_BGR8));
  }
  absl::StatusOr<inference::ServedOutput> out = model.Run(inputs, false);
  if (!out.ok()) return out.status();
  torch::Tensor p = out->probabilities.contiguous();
  return std::vector<float>(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "skinlens-retest: %s\n", std::string(s.message()).c_str());
  return s.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

int Run() {
  const std::string vary = absl::GetFlag(FLAGS_vary);
  if (vary != "all" && vary != "colour" && vary != "color") {
    return Fail(absl::InvalidArgumentError("--vary must be 'all' or 'colour'"));
  }
  const VariationSet set = vary == "all" ? VariationSet::kAll : VariationSet::kColourOnly;
  const int scans = absl::GetFlag(FLAGS_scans);
  if (scans < 2) return Fail(absl::InvalidArgumentError("--scans must be at least 2"));
  absl::StatusOr<std::shared_ptr<const ServedModel>> model =
      ServedModel::Load(absl::GetFlag(FLAGS_model), inference::ServingSettings{});
  if (!model.ok()) return Fail(model.status());
  const model::ModelMetadata& metadata = (*model)->metadata();
  const int grades = static_cast<int>(metadata.grade_names.size());
  const cv::Size crop_size(metadata.input.width, metadata.input.height);
  preprocess::PreprocessorOptions options;
  options.white_balance = absl::GetFlag(FLAGS_white_balance);
  absl::StatusOr<std::unique_ptr<preprocess::Preprocessor>> pre =
      preprocess::Preprocessor::Create(options);
  if (!pre.ok()) return Fail(pre.status());
  std::vector<preprocess::Region> regions;
  for (int r = 1; r <= 8; ++r) regions.push_back(static_cast<preprocess::Region>(r));
  std::mt19937 random(static_cast<uint32_t>(absl::GetFlag(FLAGS_seed)));

  // Faces through the whole preprocessing.
  std::vector<Subject> faces;
  for (absl::string_view path :
       absl::StrSplit(absl::GetFlag(FLAGS_photos), ',', absl::SkipEmpty())) {
    const cv::Mat photo = cv::imread(std::string(path), cv::IMREAD_COLOR);
    if (photo.empty()) return Fail(absl::NotFoundError(absl::StrCat("cannot read '", path, "'")));
    Subject& s = faces.emplace_back();
    s.name = std::string(path);
    ProgressBar bar(absl::StrCat("scanning ", fs::path(s.name).filename().string()), scans, "scan");
    for (int i = 0; i < scans; ++i) {
      CaptureVariation variation = DrawVariation(random, set);
      if (absl::GetFlag(FLAGS_kelvin) > 0) variation.kelvin = absl::GetFlag(FLAGS_kelvin);
      const cv::Mat seen = ApplyVariation(photo, variation);
      std::vector<uchar> png;
      cv::imencode(".png", seen, png);
      preprocess::QualityReport refusal;
      absl::StatusOr<preprocess::PreprocessResult> result =
          (*pre)->Run(absl::string_view(reinterpret_cast<const char*>(png.data()), png.size()),
                      regions, crop_size, &refusal);
      bar.Update(i + 1);
      if (!result.ok()) {
        ++s.refused;
        continue;
      }
      std::vector<cv::Mat> crops;
      std::vector<v1::FaceRegion> crop_regions;
      for (const preprocess::Crop& c : result->crops) {
        crops.push_back(c.bgr);
        crop_regions.push_back(static_cast<v1::FaceRegion>(c.region));
      }
      absl::StatusOr<std::vector<float>> p = Probabilities(**model, crops);
      if (!p.ok()) return Fail(p.status());
      const int attributes = static_cast<int>(metadata.attribute_names.size());
      for (int a = 0; a < attributes && a < kNumAttributes; ++a) {
        std::vector<std::vector<float>> per_crop;
        for (size_t c = 0; c < crops.size(); ++c) {
          const float* row = p->data() + (c * attributes + a) * grades;
          per_crop.emplace_back(row, row + grades);
        }
        const inference::PhotoAttributeResult photo_result = inference::AggregatePhotoAttribute(
            inference::AttributeFromName(metadata.attribute_names[a]), crop_regions, per_crop);
        s.scores[a].push_back(photo_result.distribution.expected_score);
        s.grades[a].push_back(photo_result.distribution.grade);
      }
    }
    bar.Finish(scans);
  }

  // Synthetic crops graded directly.
  std::vector<Subject> synthetic;
  if (const std::string dir = absl::GetFlag(FLAGS_crops); !dir.empty()) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string ext = e.path().extension().string();
      if (ext == ".png" || ext == ".jpg") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    files.resize(std::min<size_t>(files.size(), absl::GetFlag(FLAGS_max_crops)));
    ProgressBar bar("scanning synthetic crops", static_cast<int64_t>(files.size()), "crop");
    for (size_t f = 0; f < files.size(); ++f) {
      const cv::Mat crop = cv::imread(files[f].string(), cv::IMREAD_COLOR);
      if (crop.empty()) continue;
      Subject& s = synthetic.emplace_back();
      s.name = files[f].string();
      std::vector<cv::Mat> batch;
      for (int i = 0; i < scans; ++i) {
        CaptureVariation variation = DrawVariation(random, set);
        if (absl::GetFlag(FLAGS_kelvin) > 0) variation.kelvin = absl::GetFlag(FLAGS_kelvin);
        // No white balance here: a region crop has no frame around it to estimate the
        // light on, and an estimate on skin alone takes the skin's colour for the light's.
        const cv::Mat seen = ApplyVariation(crop, variation);
        cv::Mat sized;
        cv::resize(seen, sized, crop_size, 0, 0, cv::INTER_AREA);
        batch.push_back(sized);
      }
      absl::StatusOr<std::vector<float>> p = Probabilities(**model, batch);
      if (!p.ok()) return Fail(p.status());
      const int attributes = static_cast<int>(metadata.attribute_names.size());
      for (int i = 0; i < scans; ++i) {
        for (int a = 0; a < attributes && a < kNumAttributes; ++a) {
          const float* row = p->data() + (i * attributes + a) * grades;
          s.scores[a].push_back(Expected(row, grades));
          s.grades[a].push_back(static_cast<int>(std::max_element(row, row + grades) - row));
        }
      }
      bar.Update(static_cast<int64_t>(f + 1));
    }
    bar.Finish(static_cast<int64_t>(files.size()));
  }

  int refused = 0;
  for (const Subject& s : faces) refused += s.refused;
  const std::string source = absl::StrFormat(
      "skinlens-retest %s: %d scans of %d photo(s), vary=%s, white balance %s, seed %d",
      absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()), scans,
      static_cast<int>(faces.size()), vary, options.white_balance ? "on" : "off",
      absl::GetFlag(FLAGS_seed));
  nlohmann::json json = {
      {"model_version", metadata.model_version}, {"source", source}, {"refused_scans", refused}};
  std::string table = absl::StrFormat("%s\n%-13s %12s %10s %14s %10s\n", source, "attribute",
                                      "photo sd", "photo flip", "synthetic sd", "synth flip");
  model::RetestNoiseInfo noise;
  noise.source = source;
  for (Attribute a : kAllAttributes) {
    const int i = AttributeIndex(a);
    const Noise photo = Pool(faces, i), crops = Pool(synthetic, i);
    const std::string name(AttributeName(a));
    json["attributes"][name] = {{"photo",
                                 {{"expected_score_sd", photo.sd},
                                  {"grade_flip_rate", photo.flip_rate},
                                  {"scans", photo.scans}}},
                                {"synthetic",
                                 {{"expected_score_sd", crops.sd},
                                  {"grade_flip_rate", crops.flip_rate},
                                  {"scans", crops.scans}}}};
    absl::StrAppendFormat(&table, "%-13s %12.3f %10.3f %14.3f %10.3f\n", name, photo.sd,
                          photo.flip_rate, crops.sd, crops.flip_rate);
    if (photo.scans > 0) noise.attributes[name] = {photo.sd, photo.flip_rate};
  }
  // Each photo's mean expected score per attribute, to compare runs (e.g. --kelvin 3000
  // against --kelvin 6500).
  for (const Subject& s : faces) {
    nlohmann::json means = nlohmann::json::object();
    for (Attribute a : kAllAttributes) {
      const std::vector<double>& x = s.scores[AttributeIndex(a)];
      if (x.empty()) continue;
      double sum = 0;
      for (double v : x) sum += v;
      means[std::string(AttributeName(a))] = sum / x.size();
    }
    json["photos"].push_back({{"photo", s.name}, {"mean_expected_score", means}});
  }
  if (refused > 0) {
    absl::StrAppendFormat(&table, "(%d scan(s) refused by the quality gate)\n", refused);
  }
  std::cout << (absl::GetFlag(FLAGS_json) ? json.dump(2) + "\n" : table);

  if (const std::string out = absl::GetFlag(FLAGS_write_bundle); !out.empty()) {
    absl::StatusOr<model::ModelBundle> bundle = model::LoadBundle(absl::GetFlag(FLAGS_model));
    if (!bundle.ok()) return Fail(bundle.status());
    model::ModelMetadata with_noise = bundle->metadata;
    with_noise.retest_noise = noise;
    model::SaveBundleOptions save;
    save.overwrite = true;
    save.weights_dtype = bundle->metadata.weights.dtype;
    bundle->net->eval();
    absl::StatusOr<model::ModelMetadata> saved =
        model::SaveBundle(*bundle->net, with_noise, out, save);
    if (!saved.ok()) return Fail(saved.status());
    std::fprintf(stderr, "skinlens-retest: wrote %s\n", out.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace skinlens::training

int main(int argc, char** argv) {
  skinlens::InitCommandLine(
      argc, argv,
      "skinlens-retest: how much a model's scores move between repeat scans of the same face.\n"
      "  skinlens-retest --model models/demo --photos tests/data/astronaut.jpg [--scans 30]\n"
      "                  [--vary all|colour] [--white_balance=false] [--crops DIR] [--json]");
  return skinlens::training::Run();
}
