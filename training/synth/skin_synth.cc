#include "training/synth/skin_synth.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"

namespace skinlens::training {
namespace {

constexpr double kPi = 3.14159265358979323846;

// ---------------------------------------------------------------------------
// Random streams. Every decision draws from a cv::RNG (a multiply-with-carry
// generator whose sequence is fixed by OpenCV, unlike std:: distributions)
// seeded by hashing (root, index, stream) with SplitMix64, so no stream
// depends on how many numbers another one consumed.

enum StreamId : uint64_t {
  kStreamGrade = 0x100,       // + attribute
  kStreamLabelled = 0x200,    // + attribute
  kStreamPart = 0x300,        //
  kStreamSkinType = 0x400,    //
  kStreamAppearance = 0x500,  //
  kStreamSkin = 0x600,        // tone, pores, relief, shape
  kStreamCapture = 0x700,     // lighting, camera
  kStreamLayer = 0x800,       // + attribute: where and how the attribute is drawn
};

uint64_t SplitMix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

uint64_t DeriveSeed(uint64_t root, uint64_t index, uint64_t stream) {
  return SplitMix64(SplitMix64(SplitMix64(root) ^ index) ^ stream);
}

cv::RNG Stream(uint64_t root, uint64_t index, uint64_t stream) {
  return cv::RNG(DeriveSeed(root, index, stream));
}

double Uniform(cv::RNG& rng, double lo, double hi) { return rng.uniform(lo, hi); }

// Inclusive of both ends.
int UniformInt(cv::RNG& rng, int lo, int hi) { return rng.uniform(lo, hi + 1); }

bool Chance(cv::RNG& rng, double p) { return rng.uniform(0.0, 1.0) < p; }

int SampleWeighted(cv::RNG& rng, const double* weights, int n) {
  double total = 0;
  for (int i = 0; i < n; ++i) total += weights[i];
  double u = rng.uniform(0.0, 1.0) * total;
  for (int i = 0; i < n; ++i) {
    if (u < weights[i]) return i;
    u -= weights[i];
  }
  // Rounding can leave u just above the last weight; take the last non-zero.
  for (int i = n - 1; i >= 0; --i) {
    if (weights[i] > 0) return i;
  }
  return 0;
}

// A value range per grade (index 0 = grade 0 draws nothing). Adjacent ranges
// overlap on purpose: a grade is stronger on average, not always.
struct Range {
  double lo;
  double hi;
};
using GradeRanges = std::array<Range, kNumGrades>;

double Draw(cv::RNG& rng, const GradeRanges& ranges, int grade) {
  return Uniform(rng, ranges[grade].lo, ranges[grade].hi);
}
int DrawInt(cv::RNG& rng, const GradeRanges& ranges, int grade) {
  return UniformInt(rng, static_cast<int>(ranges[grade].lo), static_cast<int>(ranges[grade].hi));
}

// ---------------------------------------------------------------------------
// What each grade draws (reference pixels are pixels of a 256 px image at zoom
// 1; they scale with size and zoom). docs/SYNTHETIC_DATA.md has the same table.

// Oil: area covered by the oil film, and the weights of the broad (sheen) and
// sharp (glint) specular lobes it adds.
constexpr GradeRanges kOilArea = {{{0, 0}, {0.10, 0.28}, {0.22, 0.48}, {0.42, 0.72}, {0.65, 0.95}}};
constexpr GradeRanges kOilBroad = {
    {{0, 0}, {0.06, 0.12}, {0.08, 0.18}, {0.13, 0.26}, {0.20, 0.38}}};
constexpr GradeRanges kOilSharp = {
    {{0, 0}, {0.10, 0.22}, {0.15, 0.35}, {0.30, 0.60}, {0.50, 0.90}}};
// Hydration (dryness): area of the dry patch and its intensity.
constexpr GradeRanges kDryArea = {{{0, 0}, {0.15, 0.35}, {0.30, 0.55}, {0.50, 0.80}, {0.72, 1.0}}};
constexpr GradeRanges kDryIntensity = {
    {{0, 0}, {0.18, 0.38}, {0.28, 0.55}, {0.45, 0.75}, {0.65, 1.0}}};
// Wrinkle: number of creases, length (fraction of the image side), depth and
// width (reference pixels).
constexpr GradeRanges kWrinkleCount = {{{0, 0}, {1, 2}, {2, 4}, {3, 6}, {5, 8}}};
constexpr GradeRanges kWrinkleLength = {
    {{0, 0}, {0.15, 0.35}, {0.28, 0.55}, {0.45, 0.80}, {0.60, 1.0}}};
constexpr GradeRanges kWrinkleDepth = {{{0, 0}, {0.8, 1.4}, {1.2, 2.0}, {1.8, 2.8}, {2.5, 3.8}}};
constexpr GradeRanges kWrinkleWidth = {{{0, 0}, {1.0, 1.5}, {1.3, 2.0}, {1.7, 2.6}, {2.2, 3.4}}};
// Pigmentation: number of spots, radius (reference pixels), added melanin;
// grades 3-4 add a diffuse patch (melasma-like) of the given area.
constexpr GradeRanges kSpotCount = {{{0, 0}, {2, 4}, {3, 7}, {5, 10}, {8, 15}}};
constexpr GradeRanges kSpotRadius = {{{0, 0}, {2.5, 5.0}, {3.0, 6.5}, {4.0, 9.0}, {5.0, 12.0}}};
constexpr GradeRanges kSpotMelanin = {
    {{0, 0}, {0.30, 0.55}, {0.40, 0.75}, {0.60, 1.00}, {0.80, 1.30}}};
constexpr GradeRanges kPatchArea = {{{0, 0}, {0, 0}, {0, 0}, {0.03, 0.12}, {0.10, 0.25}}};
// Sensitivity: area of the erythema, added haemoglobin, visible vessels.
constexpr GradeRanges kRedArea = {{{0, 0}, {0.08, 0.25}, {0.18, 0.42}, {0.32, 0.62}, {0.50, 0.85}}};
constexpr GradeRanges kRedIntensity = {
    {{0, 0}, {0.12, 0.35}, {0.25, 0.50}, {0.40, 0.70}, {0.60, 0.95}}};
constexpr GradeRanges kVesselCount = {{{0, 0}, {0, 0}, {0, 0}, {0, 2}, {2, 5}}};

// Mask thresholds: a pixel belongs to an attribute's mask where its layer
// exceeds these (oil film coverage, dryness, crease depth in reference
// pixels, added melanin, added haemoglobin).
constexpr float kOilMaskThreshold = 0.5f;
constexpr float kDryMaskThreshold = 0.08f;
constexpr float kWrinkleMaskThreshold = 0.25f;
constexpr float kPigmentMaskThreshold = 0.1f;
constexpr float kRedMaskThreshold = 0.08f;

// ---------------------------------------------------------------------------
// Skin tones and chromophores.

// Typical sRGB skin colours of Fitzpatrick types I..VI.
constexpr double kToneRgb[6][3] = {{242, 213, 196}, {232, 190, 162}, {212, 164, 130},
                                   {178, 128, 94},  {130, 88, 62},   {88, 60, 45}};
constexpr double kSkinTypeWeights[6] = {0.12, 0.22, 0.24, 0.20, 0.13, 0.09};
// Absorption per unit of melanin and haemoglobin, BGR order (blue is absorbed
// most by melanin, green most by blood), in linear light.
constexpr float kMelaninAbsorb[3] = {1.30f, 0.85f, 0.55f};
constexpr float kBloodAbsorb[3] = {0.95f, 1.00f, 0.08f};
// Subsurface scattering softens shading, red most: wrapped diffuse per channel.
constexpr float kWrap[3] = {0.25f, 0.30f, 0.45f};

double SrgbToLinear(double c) {
  c /= 255.0;
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

// ---------------------------------------------------------------------------
// Regions.

enum class Shape { kForehead, kGlabella, kEye, kCheek, kNose, kChin };
enum class CreasePattern { kHorizontal, kVertical, kRadiating, kOblique, kBunny, kCurved };

struct PartStyle {
  Shape shape;
  CreasePattern creases;
  bool mirrored;        // the subject's right side: geometry mirrored left-right
  double pore_spacing;  // reference pixels between pores
  double pore_sigma;    // pore radius (Gaussian sigma), reference pixels
  double pore_depth;    // reference pixels
  double relief_cell;   // micro-relief cell size, reference pixels
  double sheen;         // base shine (the T-zone shines more)
  double redness;       // base haemoglobin
};

// Indexed like kSynthParts.
constexpr PartStyle kPartStyles[] = {
    {Shape::kForehead, CreasePattern::kHorizontal, false, 9.0, 0.9, 0.6, 11.0, 1.3, 0.05},
    {Shape::kGlabella, CreasePattern::kVertical, false, 9.0, 0.9, 0.6, 10.0, 1.3, 0.07},
    {Shape::kEye, CreasePattern::kRadiating, false, 10.0, 0.7, 0.4, 8.0, 0.8, 0.06},
    {Shape::kEye, CreasePattern::kRadiating, true, 10.0, 0.7, 0.4, 8.0, 0.8, 0.06},
    {Shape::kCheek, CreasePattern::kOblique, false, 8.0, 1.2, 0.9, 12.0, 0.9, 0.14},
    {Shape::kCheek, CreasePattern::kOblique, true, 8.0, 1.2, 0.9, 12.0, 0.9, 0.14},
    {Shape::kNose, CreasePattern::kBunny, false, 7.0, 1.5, 1.2, 10.0, 1.6, 0.12},
    {Shape::kChin, CreasePattern::kCurved, false, 8.0, 1.1, 0.8, 11.0, 1.0, 0.08},
};
static_assert(sizeof(kPartStyles) / sizeof(kPartStyles[0]) == kSynthParts.size());

// Large-scale surface height (in units of the image side) at normalised
// coordinates u, v in [-1, 1] (u already mirrored for the right side).
double ShapeHeight(Shape shape, double u, double v) {
  switch (shape) {
    case Shape::kForehead:
      return -0.55 * u * u - 0.12 * v * v;
    case Shape::kGlabella:
      return -0.25 * u * u - 0.15 * v * v;
    case Shape::kEye: {
      const double du = u + 0.95, dv = v - 0.1;
      return -0.2 * u * u - 0.2 * v * v - 0.35 * std::exp(-(du * du + dv * dv) / 0.35);
    }
    case Shape::kCheek: {
      const double du = u - 0.1;
      return -0.45 * du * du - 0.45 * v * v;
    }
    case Shape::kNose:
      return -1.1 * u * u - 0.1 * v * v;
    case Shape::kChin: {
      const double dv = v + 0.1;
      return -0.6 * u * u - 0.6 * dv * dv;
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Fields.

// Smooth noise, roughly N(0, 1), with `cells` features across the image.
cv::Mat SmoothNoise(cv::RNG& rng, int size, int cells) {
  cv::Mat grid(cells + 3, cells + 3, CV_32F);
  rng.fill(grid, cv::RNG::NORMAL, 0.0, 1.0);
  cv::Mat out;
  cv::resize(grid, out, cv::Size(size, size), 0, 0, cv::INTER_CUBIC);
  return out;
}

// A soft map in [0, 1] covering about `fraction` of the image in blobs of
// `cells` features across, fading over `softness` noise units at the edges.
// Thresholded at a low resolution (cheap quantile), then enlarged.
cv::Mat Coverage(cv::RNG& rng, int size, int cells, double fraction, double softness) {
  constexpr int kLow = 64;
  cv::Mat noise = SmoothNoise(rng, kLow, cells);
  cv::Mat low;
  if (fraction >= 0.999) {
    low = cv::Mat(kLow, kLow, CV_32F, cv::Scalar(1.0f));
  } else {
    std::vector<float> values(noise.begin<float>(), noise.end<float>());
    const size_t k =
        std::min(values.size() - 1,
                 static_cast<size_t>((1.0 - fraction) * static_cast<double>(values.size())));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    const float threshold = values[k];
    low = (noise - threshold) * (1.0 / softness) + 0.5;
    cv::min(cv::max(low, 0.0f), 1.0f, low);
  }
  cv::Mat out;
  cv::resize(low, out, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
  return out;
}

// A Worley (cellular) network: the polygonal pattern of the skin's
// micro-relief, whose furrows dry skin accentuates and along which it flakes.
struct CellNetwork {
  cv::Mat edge;              // CV_32F: approximate distance to the nearest cell boundary, px
  cv::Mat center;            // CV_32F: distance to the cell's own point, in cell units
  cv::Mat cell;              // CV_32S: cell id (index into value)
  std::vector<float> value;  // uniform [0, 1) per cell
};

CellNetwork MakeCellNetwork(cv::RNG& rng, int size, double cell_px, double angle, double stretch) {
  const double c = std::cos(angle), s = std::sin(angle);
  // Image (x, y) -> cell coordinates: rotate, stretch, scale.
  auto to_cell = [&](double x, double y) {
    return cv::Point2d((c * x + s * y) / stretch / cell_px, (-s * x + c * y) * stretch / cell_px);
  };
  double min_x = 1e9, min_y = 1e9, max_x = -1e9, max_y = -1e9;
  for (double x : {0.0, static_cast<double>(size)}) {
    for (double y : {0.0, static_cast<double>(size)}) {
      const cv::Point2d p = to_cell(x, y);
      min_x = std::min(min_x, p.x), max_x = std::max(max_x, p.x);
      min_y = std::min(min_y, p.y), max_y = std::max(max_y, p.y);
    }
  }
  const int x0 = static_cast<int>(std::floor(min_x)) - 2;
  const int y0 = static_cast<int>(std::floor(min_y)) - 2;
  const int nx = static_cast<int>(std::ceil(max_x)) + 3 - x0;
  const int ny = static_cast<int>(std::ceil(max_y)) + 3 - y0;
  std::vector<float> jx(static_cast<size_t>(nx * ny)), jy(jx.size());
  CellNetwork net;
  net.value.resize(jx.size());
  for (size_t i = 0; i < jx.size(); ++i) {
    jx[i] = static_cast<float>(Uniform(rng, 0.1, 0.9));
    jy[i] = static_cast<float>(Uniform(rng, 0.1, 0.9));
    net.value[i] = static_cast<float>(Uniform(rng, 0.0, 1.0));
  }
  net.edge.create(size, size, CV_32F);
  net.center.create(size, size, CV_32F);
  net.cell.create(size, size, CV_32S);
  const float half_cell = static_cast<float>(cell_px * 0.5);
  // Cell coordinates are affine in (x, y): step them instead of transforming.
  const cv::Point2d step_x = to_cell(1, 0);
  const float sxx = static_cast<float>(step_x.x), sxy = static_cast<float>(step_x.y);
  for (int y = 0; y < size; ++y) {
    float* edge = net.edge.ptr<float>(y);
    float* center = net.center.ptr<float>(y);
    int* cell = net.cell.ptr<int>(y);
    const cv::Point2d row = to_cell(0.5, y + 0.5);
    float qx = static_cast<float>(row.x), qy = static_cast<float>(row.y);
    for (int x = 0; x < size; ++x, qx += sxx, qy += sxy) {
      const int ix = static_cast<int>(std::floor(qx)), iy = static_cast<int>(std::floor(qy));
      const float fx = qx - static_cast<float>(ix), fy = qy - static_cast<float>(iy);
      float f1 = 1e9f, f2 = 1e9f;
      int id1 = 0;
      for (int dy = -1; dy <= 1; ++dy) {
        const int base = (iy + dy - y0) * nx + (ix - x0);
        for (int dx = -1; dx <= 1; ++dx) {
          const int id = base + dx;
          const float ddx = static_cast<float>(dx) + jx[static_cast<size_t>(id)] - fx;
          const float ddy = static_cast<float>(dy) + jy[static_cast<size_t>(id)] - fy;
          const float d2 = ddx * ddx + ddy * ddy;
          if (d2 < f1) {
            f2 = f1;
            f1 = d2;
            id1 = id;
          } else if (d2 < f2) {
            f2 = d2;
          }
        }
      }
      const float d1 = std::sqrt(f1);
      edge[x] = (std::sqrt(f2) - d1) * half_cell;
      center[x] = d1;
      cell[x] = id1;
    }
  }
  return net;
}

// exp(-(edge / width)^2): 1 on a furrow, 0 inside a cell.
cv::Mat Furrows(const cv::Mat& edge, double width) {
  cv::Mat out;
  cv::multiply(edge, edge, out, 1.0 / (width * width));
  cv::exp(-out, out);
  return out;
}

cv::Mat Mask(const cv::Mat& field, float threshold) {
  cv::Mat mask;
  cv::compare(field, threshold, mask, cv::CMP_GT);
  return mask;
}

// ---------------------------------------------------------------------------
// The renderer: the fields of one image, filled layer by layer.

struct Capture {
  cv::Vec3f key;     // direction to the key light (unit)
  float key_power;   //
  cv::Vec3f fill;    // direction to the fill light, near the camera
  float fill_power;  //
  float ambient;     //
  float exposure;    //
  cv::Vec3f white;   // BGR gains (white balance error)
  float zoom;        // feature scale
  float blur;        // Gaussian sigma, reference pixels (0 = none)
  float shot_noise;  // variance per unit of signal
  float read_noise;  // variance floor
  float vignette;    // darkening at the corners
  int jpeg_quality;  // 0 = no JPEG round trip
};

Capture DrawCapture(cv::RNG& rng, bool neutral) {
  Capture c;
  if (neutral) {
    const double el = 55.0 * kPi / 180.0, az = 225.0 * kPi / 180.0;  // from the top left
    c.key = cv::Vec3f(static_cast<float>(std::cos(el) * std::cos(az)),
                      static_cast<float>(std::cos(el) * std::sin(az)),
                      static_cast<float>(std::sin(el)));
    c.key_power = 0.8f;
    c.fill = cv::Vec3f(0, 0, 1);
    c.fill_power = 0.3f;
    c.ambient = 0.2f;
    c.exposure = 1.0f;
    c.white = cv::Vec3f(1, 1, 1);
    c.zoom = 1.0f;
    c.blur = 0;
    c.shot_noise = 0;
    c.read_noise = 0;
    c.vignette = 0;
    c.jpeg_quality = 0;
    return c;
  }
  const double az = Uniform(rng, 0, 2 * kPi);
  const double el = Uniform(rng, 30, 75) * kPi / 180.0;
  c.key =
      cv::Vec3f(static_cast<float>(std::cos(el) * std::cos(az)),
                static_cast<float>(std::cos(el) * std::sin(az)), static_cast<float>(std::sin(el)));
  c.key_power = static_cast<float>(Uniform(rng, 0.55, 1.0));
  cv::Vec3f fill(static_cast<float>(Uniform(rng, -0.2, 0.2)),
                 static_cast<float>(Uniform(rng, -0.2, 0.2)), 1.0f);
  c.fill = fill / static_cast<float>(cv::norm(fill));
  c.fill_power = static_cast<float>(Uniform(rng, 0.15, 0.45));
  c.ambient = static_cast<float>(Uniform(rng, 0.12, 0.30));
  c.exposure = static_cast<float>(Uniform(rng, 0.8, 1.2));
  c.white = cv::Vec3f(static_cast<float>(std::exp(rng.gaussian(0.06))),
                      static_cast<float>(std::exp(rng.gaussian(0.02))),
                      static_cast<float>(std::exp(rng.gaussian(0.06))));
  c.zoom = static_cast<float>(Uniform(rng, 0.8, 1.3));
  c.blur = Chance(rng, 0.5) ? static_cast<float>(Uniform(rng, 0.3, 1.4)) : 0.0f;
  c.shot_noise = static_cast<float>(Uniform(rng, 0.0002, 0.003));
  c.read_noise = static_cast<float>(Uniform(rng, 0.00002, 0.0003));
  c.vignette = static_cast<float>(Uniform(rng, 0.0, 0.3));
  c.jpeg_quality = Chance(rng, 0.35) ? UniformInt(rng, 55, 95) : 0;
  return c;
}

class Renderer {
 public:
  Renderer(const SampleSpec& spec, int size)
      : spec_(spec), style_(kPartStyles[spec.part]), size_(size) {}

  SynthSample Render() {
    cv::RNG capture_rng = Stream(spec_.appearance_seed, 0, kStreamCapture);
    capture_ = DrawCapture(capture_rng, spec_.neutral_capture);
    scale_ = size_ / 256.0 * capture_.zoom;
    const cv::Size sz(size_, size_);
    height_ = cv::Mat::zeros(sz, CV_32F);
    melanin_ = cv::Mat::zeros(sz, CV_32F);
    blood_ = cv::Mat::zeros(sz, CV_32F);
    shade_ = cv::Mat::ones(sz, CV_32F);
    scatter_ = cv::Mat::zeros(sz, CV_32F);
    flake_ = cv::Mat::zeros(sz, CV_32F);
    sheen_broad_ = cv::Mat::zeros(sz, CV_32F);
    sheen_sharp_ = cv::Mat::zeros(sz, CV_32F);

    DrawSkin();
    SynthSample sample;
    for (int a = 0; a < kNumAttributes; ++a) {
      sample.masks[a] = cv::Mat::zeros(sz, CV_8U);
    }
    auto layer_rng = [&](Attribute a) {
      return Stream(spec_.appearance_seed, AttributeIndex(a), kStreamLayer);
    };
    auto mask = [&](Attribute a) -> cv::Mat& { return sample.masks[AttributeIndex(a)]; };
    // Dryness first: it dulls the shine the oil layer adds.
    cv::RNG rng_dry = layer_rng(Attribute::kHydration);
    DrawDryness(rng_dry, spec_.grade(Attribute::kHydration), mask(Attribute::kHydration));
    cv::RNG rng_oil = layer_rng(Attribute::kOil);
    DrawOil(rng_oil, spec_.grade(Attribute::kOil), mask(Attribute::kOil));
    cv::RNG rng_wrinkle = layer_rng(Attribute::kWrinkle);
    DrawWrinkles(rng_wrinkle, spec_.grade(Attribute::kWrinkle), mask(Attribute::kWrinkle));
    cv::RNG rng_pigment = layer_rng(Attribute::kPigmentation);
    DrawPigmentation(rng_pigment, spec_.grade(Attribute::kPigmentation),
                     mask(Attribute::kPigmentation));
    cv::RNG rng_red = layer_rng(Attribute::kSensitivity);
    DrawErythema(rng_red, spec_.grade(Attribute::kSensitivity), mask(Attribute::kSensitivity));

    cv::Mat linear = Shade();
    sample.image = Camera(capture_rng, linear);
    return sample;
  }

 private:
  // Reference pixels -> pixels of this image.
  double Px(double ref) const { return ref * scale_; }

  void DrawSkin() {
    cv::RNG rng = Stream(spec_.appearance_seed, 0, kStreamSkin);
    // Tone: between the type's colour and a neighbour's, with a small tint.
    const int type = spec_.fitzpatrick - 1;
    const double t = Uniform(rng, -0.45, 0.45);
    const int other = std::clamp(t < 0 ? type - 1 : type + 1, 0, 5);
    const double tint[3] = {rng.gaussian(0.03), rng.gaussian(0.02), rng.gaussian(0.03)};
    for (int c = 0; c < 3; ++c) {
      const int rgb = 2 - c;  // BGR
      const double srgb =
          kToneRgb[type][rgb] * (1 - std::abs(t)) + kToneRgb[other][rgb] * std::abs(t);
      tone_[c] = static_cast<float>(SrgbToLinear(srgb) * std::exp(tint[c]));
    }

    // Natural unevenness of melanin and blood, no grade involved.
    melanin_ += SmoothNoise(rng, size_, 4) * 0.06 + SmoothNoise(rng, size_, 12) * 0.03;
    cv::Mat redness = SmoothNoise(rng, size_, 3) * 0.5 + 0.5;
    cv::max(redness, 0.0, redness);
    blood_ += redness * (style_.redness * Uniform(rng, 0.5, 1.5));

    // Large-scale shape: the part of the face the crop shows.
    const double amplitude = Uniform(rng, 0.22, 0.38) * size_;
    const double cu = rng.gaussian(0.15), cv_ = rng.gaussian(0.15);
    for (int y = 0; y < size_; ++y) {
      float* h = height_.ptr<float>(y);
      const double v = 2.0 * (y + 0.5) / size_ - 1.0 - cv_;
      for (int x = 0; x < size_; ++x) {
        double u = 2.0 * (x + 0.5) / size_ - 1.0 - cu;
        if (style_.mirrored) u = -u;
        h[x] = static_cast<float>(amplitude * ShapeHeight(style_.shape, u, v));
      }
    }

    // Micro-relief: fine, shallow polygonal furrows, slightly elongated.
    const CellNetwork relief =
        MakeCellNetwork(rng, size_, Px(0.5 * style_.relief_cell * Uniform(rng, 0.85, 1.15)),
                        Uniform(rng, 0, kPi), Uniform(rng, 1.1, 1.5));
    furrows_ = Furrows(relief.edge, std::max(0.45, Px(0.5)));
    height_ -= furrows_ * Px(Uniform(rng, 0.12, 0.25));
    shade_ -= furrows_ * 0.04;

    // Pores: Gaussian pits on a jittered grid.
    cv::Mat pores = cv::Mat::zeros(size_, size_, CV_32F);
    const double spacing = std::max(2.0, Px(style_.pore_spacing * Uniform(rng, 0.85, 1.15)));
    const int n = static_cast<int>(std::ceil(size_ / spacing));
    for (int gy = 0; gy < n; ++gy) {
      for (int gx = 0; gx < n; ++gx) {
        const int x = static_cast<int>((gx + Uniform(rng, 0.15, 0.85)) * spacing);
        const int y = static_cast<int>((gy + Uniform(rng, 0.15, 0.85)) * spacing);
        const float amp = static_cast<float>(Uniform(rng, 0.4, 1.3));
        if (x < size_ && y < size_) pores.at<float>(y, x) += amp;
      }
    }
    const double sigma = std::max(0.45, Px(style_.pore_sigma));
    cv::GaussianBlur(pores, pores, cv::Size(), sigma);
    pores *= 2 * kPi * sigma * sigma;  // peak of a pore = its amplitude
    height_ -= pores * Px(style_.pore_depth);
    shade_ -= pores * 0.12;

    // Fine grain of the skin's colour.
    grain_.create(size_, size_, CV_32F);
    rng.fill(grain_, cv::RNG::NORMAL, 0.0, 1.0);
    cv::GaussianBlur(grain_, grain_, cv::Size(), std::max(0.4, Px(0.6)));

    // A mole now and then: not pigmentation, and no mask.
    if (Chance(rng, 0.12)) {
      AddBlob(melanin_, Uniform(rng, 0, size_), Uniform(rng, 0, size_), Px(Uniform(rng, 1.5, 3.0)),
              Px(Uniform(rng, 1.5, 3.0)), 0, Uniform(rng, 1.2, 1.8), rng);
    }

    // Everyone's skin shines a little; the T-zone more.
    sheen_broad_ += static_cast<float>(style_.sheen * Uniform(rng, 0.02, 0.06));
    sheen_sharp_ += static_cast<float>(style_.sheen * Uniform(rng, 0.0, 0.06));
  }

  void DrawDryness(cv::RNG& rng, int grade, cv::Mat& mask) {
    dryness_ = cv::Mat::zeros(size_, size_, CV_32F);
    if (grade == 0) return;
    const double area = Draw(rng, kDryArea, grade);
    const double intensity = Draw(rng, kDryIntensity, grade);
    dryness_ = Coverage(rng, size_, UniformInt(rng, 2, 4), area, 0.8) * intensity;
    // Dry skin cracks into scales along a coarser network and deepens the
    // micro-relief furrows.
    const CellNetwork scales =
        MakeCellNetwork(rng, size_, Px(style_.relief_cell * Uniform(rng, 0.9, 1.3)),
                        Uniform(rng, 0, kPi), Uniform(rng, 1.0, 1.4));
    cv::Mat cracks = Furrows(scales.edge, std::max(0.45, Px(0.6))) * 1.2 + furrows_ * 0.8;
    cv::Mat d_cracks = dryness_.mul(cracks);
    height_ -= d_cracks * Px(0.9);
    shade_ -= d_cracks * 0.18;
    // Flakes: some cells lift and whiten, most at their edges.
    for (int y = 0; y < size_; ++y) {
      const float* d = dryness_.ptr<float>(y);
      const int* cell = scales.cell.ptr<int>(y);
      const float* center = scales.center.ptr<float>(y);
      float* flake = flake_.ptr<float>(y);
      for (int x = 0; x < size_; ++x) {
        if (scales.value[static_cast<size_t>(cell[x])] < d[x] * 0.9f) {
          flake[x] += d[x] * (0.02f + 0.07f * std::min(center[x], 1.0f));
        }
      }
    }
    scatter_ += dryness_ * 0.3;
    mask = Mask(dryness_, kDryMaskThreshold);
  }

  void DrawOil(cv::RNG& rng, int grade, cv::Mat& mask) {
    // Dry skin looks dull: it scatters instead of reflecting.
    cv::Mat dull = 1.0 - dryness_ * 0.8;
    if (grade > 0) {
      const double area = Draw(rng, kOilArea, grade);
      const double broad = Draw(rng, kOilBroad, grade);
      const double sharp = Draw(rng, kOilSharp, grade);
      // The film's thickness varies: a soft coverage times a finer mottle.
      cv::Mat film = Coverage(rng, size_, UniformInt(rng, 1, 3), area, 1.6);
      cv::Mat mottle = SmoothNoise(rng, size_, 8) * 0.2 + 0.9;
      cv::max(mottle, 0.0, mottle);
      film = film.mul(mottle);
      sheen_broad_ += film * broad;
      sheen_sharp_ += film * sharp;
      mask = Mask(film, kOilMaskThreshold);
    }
    sheen_broad_ = sheen_broad_.mul(dull);
    sheen_sharp_ = sheen_sharp_.mul(dull);
  }

  // Points of one crease, in pixels, for this part's wrinkle pattern.
  std::vector<cv::Point2d> CreasePath(cv::RNG& rng, double length) {
    const double s = size_;
    double x0 = 0, y0 = 0, angle = 0;
    const double deg = kPi / 180.0;
    switch (style_.creases) {
      case CreasePattern::kHorizontal:
        x0 = Uniform(rng, -0.05, 1.0 - length * 0.9) * s;
        y0 = Uniform(rng, 0.1, 0.9) * s;
        angle = rng.gaussian(6.0) * deg;
        break;
      case CreasePattern::kVertical:
        length *= 0.7;
        x0 = Uniform(rng, 0.25, 0.75) * s;
        y0 = Uniform(rng, 0.05, 0.95 - length) * s;
        angle = (90.0 + rng.gaussian(10.0)) * deg;
        break;
      case CreasePattern::kRadiating: {
        // Crow's feet fan out from the eye corner at the image's left edge.
        const double oy = (0.5 + rng.gaussian(0.08)) * s;
        angle = Uniform(rng, -40, 40) * deg;
        const double start = Uniform(rng, 0.02, 0.3) * s;
        x0 = -0.05 * s + start * std::cos(angle);
        y0 = oy + start * std::sin(angle);
        break;
      }
      case CreasePattern::kOblique:
        x0 = Uniform(rng, 0.0, 0.6) * s;
        y0 = Uniform(rng, 0.0, 0.5) * s;
        angle = (65.0 + rng.gaussian(12.0)) * deg;
        break;
      case CreasePattern::kBunny:
        length *= 0.6;
        x0 = Uniform(rng, 0.1, 0.9 - length) * s;
        y0 = Uniform(rng, 0.05, 0.6) * s;
        angle = (Chance(rng, 0.5) ? 20.0 : -20.0) * deg + rng.gaussian(8.0) * deg;
        break;
      case CreasePattern::kCurved:
        x0 = Uniform(rng, 0.0, 1.0 - length * 0.9) * s;
        y0 = Uniform(rng, 0.15, 0.85) * s;
        angle = rng.gaussian(8.0) * deg;
        break;
    }
    const double len = length * s;
    double bow = rng.gaussian(0.05) * len;
    if (style_.creases == CreasePattern::kCurved) bow = Uniform(rng, 0.06, 0.14) * len;
    const double wave = rng.gaussian(0.012) * len;
    const double phase = Uniform(rng, 0, 2 * kPi);
    const cv::Point2d dir(std::cos(angle), std::sin(angle)), normal(-dir.y, dir.x);
    constexpr int kSegments = 24;
    std::vector<cv::Point2d> points;
    for (int i = 0; i <= kSegments; ++i) {
      const double t = static_cast<double>(i) / kSegments;
      const double off = bow * std::sin(kPi * t) + wave * std::sin(3 * kPi * t + phase);
      cv::Point2d p(x0, y0);
      p += dir * (t * len) + normal * off;
      if (style_.mirrored) p.x = s - p.x;
      points.push_back(p);
    }
    return points;
  }

  void DrawWrinkles(cv::RNG& rng, int grade, cv::Mat& mask) {
    if (grade == 0) return;
    // Crease depth in reference pixels, each crease tapered at its ends.
    cv::Mat creases = cv::Mat::zeros(size_, size_, CV_32F);
    cv::Mat one(size_, size_, CV_32F);
    const int count = DrawInt(rng, kWrinkleCount, grade);
    constexpr int kShift = 4;  // sub-pixel coordinates for cv::line
    for (int i = 0; i < count; ++i) {
      const double length = Draw(rng, kWrinkleLength, grade);
      const double depth = Draw(rng, kWrinkleDepth, grade);
      const double width = Px(Draw(rng, kWrinkleWidth, grade));
      const std::vector<cv::Point2d> path = CreasePath(rng, length);
      one.setTo(0);
      for (size_t k = 0; k + 1 < path.size(); ++k) {
        const double t = (k + 0.5) / static_cast<double>(path.size() - 1);
        // Deepest and widest in the middle, fading out at both ends.
        const double taper = std::sqrt(std::sin(kPi * t));
        const int thickness =
            std::max(1, static_cast<int>(std::lround(width * (0.4 + 0.6 * taper))));
        cv::line(one, cv::Point(cvRound(path[k].x * 16), cvRound(path[k].y * 16)),
                 cv::Point(cvRound(path[k + 1].x * 16), cvRound(path[k + 1].y * 16)),
                 cv::Scalar(depth * taper), thickness, cv::LINE_8, kShift);
      }
      cv::max(creases, one, creases);
    }
    // A soft V profile about as wide as the grade's creases.
    const double width = 0.5 * (kWrinkleWidth[grade].lo + kWrinkleWidth[grade].hi);
    cv::GaussianBlur(creases, creases, cv::Size(), std::max(0.5, Px(0.45 * width)));
    height_ -= creases * Px(1.0);
    // The crease's floor is in shadow whatever the light.
    shade_ -= creases * 0.11;
    cv::Mat dilated = Mask(creases, kWrinkleMaskThreshold);
    cv::dilate(dilated, mask, cv::Mat());
  }

  // Adds an irregular elliptical blob (super-Gaussian profile) to `field`,
  // keeping the larger value where blobs overlap.
  void AddBlob(cv::Mat& field, double cx, double cy, double rx, double ry, double angle,
               double amount, cv::RNG& rng) {
    const double a1 = Uniform(rng, 0, 2 * kPi), a2 = Uniform(rng, 0, 2 * kPi);
    const double w1 = Uniform(rng, 0.03, 0.12), w2 = Uniform(rng, 0.0, 0.08);
    const double reach = 1.8 * std::max(rx, ry);
    const int x_lo = std::max(0, static_cast<int>(cx - reach));
    const int x_hi = std::min(size_ - 1, static_cast<int>(cx + reach));
    const int y_lo = std::max(0, static_cast<int>(cy - reach));
    const int y_hi = std::min(size_ - 1, static_cast<int>(cy + reach));
    const double c = std::cos(angle), s = std::sin(angle);
    for (int y = y_lo; y <= y_hi; ++y) {
      float* f = field.ptr<float>(y);
      for (int x = x_lo; x <= x_hi; ++x) {
        const double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
        const double u = (c * dx + s * dy) / rx, v = (-s * dx + c * dy) / ry;
        const double phi = std::atan2(v, u);
        const double r = 1.0 + w1 * std::sin(3 * phi + a1) + w2 * std::sin(5 * phi + a2);
        const double d2 = (u * u + v * v) / (r * r);
        const float value = static_cast<float>(amount * std::exp(-d2 * std::sqrt(d2)));
        f[x] = std::max(f[x], value);
      }
    }
  }

  void DrawPigmentation(cv::RNG& rng, int grade, cv::Mat& mask) {
    if (grade == 0) return;
    cv::Mat spots = cv::Mat::zeros(size_, size_, CV_32F);
    const int count = DrawInt(rng, kSpotCount, grade);
    for (int i = 0; i < count; ++i) {
      const double r = Px(Draw(rng, kSpotRadius, grade));
      const double aspect = Uniform(rng, 0.6, 1.0);
      AddBlob(spots, Uniform(rng, 0, size_), Uniform(rng, 0, size_), r, r * aspect,
              Uniform(rng, 0, kPi), Draw(rng, kSpotMelanin, grade), rng);
    }
    if (grade >= 3) {
      cv::Mat patch =
          Coverage(rng, size_, UniformInt(rng, 3, 5), Draw(rng, kPatchArea, grade), 0.6);
      cv::max(spots, patch * Uniform(rng, 0.25, 0.45), spots);
    }
    // Mottled rather than flat.
    cv::Mat mottle = SmoothNoise(rng, size_, std::max(4, size_ / 8)) * 0.15 + 1.0;
    spots = spots.mul(mottle);
    melanin_ += spots;
    mask = Mask(spots, kPigmentMaskThreshold);
  }

  void DrawErythema(cv::RNG& rng, int grade, cv::Mat& mask) {
    if (grade == 0) return;
    const double area = Draw(rng, kRedArea, grade);
    const double intensity = Draw(rng, kRedIntensity, grade);
    // A diffuse flush around blotchier patches.
    const int cells = UniformInt(rng, 2, 4);
    cv::Mat flush = Coverage(rng, size_, cells, std::min(1.0, area * 1.6), 2.5);
    cv::Mat patches = Coverage(rng, size_, cells + 1, area, 1.2);
    cv::Mat red = (flush * 0.35 + patches * 0.65) * intensity;
    cv::Mat blotch = SmoothNoise(rng, size_, 16) * 0.12 + 0.92;
    red = red.mul(blotch);
    // Visible small vessels (telangiectasia) at the highest grades.
    const int vessels = DrawInt(rng, kVesselCount, grade);
    if (vessels > 0) {
      cv::Mat lines = cv::Mat::zeros(size_, size_, CV_32F);
      for (int v = 0; v < vessels; ++v) {
        cv::Point2d p(Uniform(rng, 0.1, 0.9) * size_, Uniform(rng, 0.1, 0.9) * size_);
        double heading = Uniform(rng, 0, 2 * kPi);
        const double value = Uniform(rng, 0.5, 0.9);
        const int steps = UniformInt(rng, 8, 16);
        for (int k = 0; k < steps; ++k) {
          heading += rng.gaussian(0.5);
          const cv::Point2d q = p + cv::Point2d(std::cos(heading), std::sin(heading)) * Px(4.0);
          cv::line(lines, cv::Point(cvRound(p.x * 16), cvRound(p.y * 16)),
                   cv::Point(cvRound(q.x * 16), cvRound(q.y * 16)), cv::Scalar(value), 1,
                   cv::LINE_8, 4);
          p = q;
        }
      }
      cv::GaussianBlur(lines, lines, cv::Size(), std::max(0.5, Px(0.7)));
      cv::max(red, lines, red);
    }
    blood_ += red;
    mask = Mask(red, kRedMaskThreshold);
  }

  // Lights the surface: wrapped diffuse (a stand-in for subsurface scattering)
  // plus two Blinn-Phong lobes weighted by the sheen fields. Linear BGR.
  cv::Mat Shade() {
    cv::Mat gx, gy;
    cv::Sobel(height_, gx, CV_32F, 1, 0, 3, 1.0 / 8.0, 0, cv::BORDER_REFLECT);
    cv::Sobel(height_, gy, CV_32F, 0, 1, 3, 1.0 / 8.0, 0, cv::BORDER_REFLECT);
    const cv::Vec3f view(0, 0, 1);
    cv::Vec3f h_key = capture_.key + view, h_fill = capture_.fill + view;
    h_key /= static_cast<float>(cv::norm(h_key));
    h_fill /= static_cast<float>(cv::norm(h_fill));
    auto wrap = [](float ndl, float w) { return std::max(0.0f, (ndl + w) / (1.0f + w)); };
    // Normalise so that a flat patch facing the camera shows the skin tone.
    float gain[3];
    for (int c = 0; c < 3; ++c) {
      const float flat = capture_.ambient + capture_.key_power * wrap(capture_.key[2], kWrap[c]) +
                         capture_.fill_power * wrap(capture_.fill[2], kWrap[c]);
      gain[c] = capture_.exposure * capture_.white[c] / flat;
    }
    const float light_gain[3] = {capture_.exposure * capture_.white[0],
                                 capture_.exposure * capture_.white[1],
                                 capture_.exposure * capture_.white[2]};
    cv::Mat out(size_, size_, CV_32FC3);
    const float half = size_ * 0.5f;
    for (int y = 0; y < size_; ++y) {
      const float* px = gx.ptr<float>(y);
      const float* py = gy.ptr<float>(y);
      const float* mel = melanin_.ptr<float>(y);
      const float* bld = blood_.ptr<float>(y);
      const float* shd = shade_.ptr<float>(y);
      const float* sct = scatter_.ptr<float>(y);
      const float* flk = flake_.ptr<float>(y);
      const float* grn = grain_.ptr<float>(y);
      const float* sb = sheen_broad_.ptr<float>(y);
      const float* ss = sheen_sharp_.ptr<float>(y);
      cv::Vec3f* o = out.ptr<cv::Vec3f>(y);
      const float dy = (y + 0.5f - half) / half;
      for (int x = 0; x < size_; ++x) {
        cv::Vec3f n(-px[x], -py[x], 1.0f);
        n /= std::sqrt(n.dot(n));
        const float nk = n.dot(capture_.key), nf = n.dot(capture_.fill);
        const float shade = std::max(0.0f, shd[x]) * (1.0f + 0.04f * grn[x]);
        float albedo[3];
        for (int c = 0; c < 3; ++c) {
          albedo[c] =
              tone_[c] * std::exp(-(mel[x] * kMelaninAbsorb[c] + bld[x] * kBloodAbsorb[c])) * shade;
        }
        // Dry skin scatters: lighter, greyer, plus white flakes.
        const float lum = 0.0722f * albedo[0] + 0.7152f * albedo[1] + 0.2126f * albedo[2];
        const float mix = std::min(1.0f, sct[x]);
        const float spec_key = std::max(0.0f, n.dot(h_key)),
                    spec_fill = std::max(0.0f, n.dot(h_fill));
        auto lobes = [&](float ndh) {
          const float p2 = ndh * ndh, p4 = p2 * p2, p8 = p4 * p4, p16 = p8 * p8, p32 = p16 * p16;
          const float p64 = p32 * p32, p128 = p64 * p64;
          return sb[x] * p32 + ss[x] * p128;
        };
        const float spec =
            capture_.key_power * lobes(spec_key) + capture_.fill_power * lobes(spec_fill);
        const float dx = (x + 0.5f - half) / half;
        const float vignette = 1.0f - capture_.vignette * 0.5f * (dx * dx + dy * dy);
        for (int c = 0; c < 3; ++c) {
          const float a = albedo[c] * (1 - mix) + (lum * 1.1f + 0.03f) * mix + flk[x];
          const float diffuse = capture_.ambient + capture_.key_power * wrap(nk, kWrap[c]) +
                                capture_.fill_power * wrap(nf, kWrap[c]);
          o[x][c] = (a * diffuse * gain[c] + spec * light_gain[c]) * vignette;
        }
      }
    }
    return out;
  }

  // Lens blur, sensor noise, sRGB encoding, JPEG: linear BGR -> 8-bit BGR.
  cv::Mat Camera(cv::RNG& rng, cv::Mat linear) {
    if (capture_.blur > 0) {
      cv::GaussianBlur(linear, linear, cv::Size(), capture_.blur * size_ / 256.0);
    }
    if (capture_.shot_noise > 0) {
      cv::Mat noise(size_, size_, CV_32FC3);
      rng.fill(noise, cv::RNG::NORMAL, 0.0, 1.0);
      for (int y = 0; y < size_; ++y) {
        cv::Vec3f* l = linear.ptr<cv::Vec3f>(y);
        const cv::Vec3f* n = noise.ptr<cv::Vec3f>(y);
        for (int x = 0; x < size_; ++x) {
          for (int c = 0; c < 3; ++c) {
            const float v = std::max(0.0f, l[x][c]);
            l[x][c] = v + n[x][c] * std::sqrt(capture_.shot_noise * v + capture_.read_noise);
          }
        }
      }
    }
    static const std::vector<uchar> kEncode = [] {
      std::vector<uchar> lut(4096);
      for (int i = 0; i < 4096; ++i) {
        const double v = i / 4095.0;
        const double s = v <= 0.0031308 ? 12.92 * v : 1.055 * std::pow(v, 1 / 2.4) - 0.055;
        lut[static_cast<size_t>(i)] = cv::saturate_cast<uchar>(s * 255.0);
      }
      return lut;
    }();
    cv::Mat image(size_, size_, CV_8UC3);
    for (int y = 0; y < size_; ++y) {
      const cv::Vec3f* l = linear.ptr<cv::Vec3f>(y);
      cv::Vec3b* o = image.ptr<cv::Vec3b>(y);
      for (int x = 0; x < size_; ++x) {
        for (int c = 0; c < 3; ++c) {
          const float v = std::clamp(l[x][c], 0.0f, 1.0f);
          o[x][c] = kEncode[static_cast<size_t>(v * 4095.0f + 0.5f)];
        }
      }
    }
    if (capture_.jpeg_quality > 0) {
      std::vector<uchar> buffer;
      cv::imencode(".jpg", image, buffer, {cv::IMWRITE_JPEG_QUALITY, capture_.jpeg_quality});
      image = cv::imdecode(buffer, cv::IMREAD_COLOR);
    }
    return image;
  }

  const SampleSpec& spec_;
  const PartStyle& style_;
  const int size_;
  Capture capture_{};
  double scale_ = 1.0;
  float tone_[3] = {0, 0, 0};  // linear BGR albedo of the skin type
  cv::Mat height_;             // surface height, pixels
  cv::Mat melanin_;            // melanin above the skin type's
  cv::Mat blood_;              // haemoglobin
  cv::Mat shade_;              // multiplicative darkening (pores, furrows, creases)
  cv::Mat scatter_;            // how much of the albedo a dry, scattering layer replaces
  cv::Mat flake_;              // additive whitening of lifted flakes
  cv::Mat sheen_broad_;        // weight of the broad specular lobe
  cv::Mat sheen_sharp_;        // weight of the sharp specular lobe
  cv::Mat grain_;              // fine colour grain
  cv::Mat dryness_;            // dryness layer, [0, 1]
  cv::Mat furrows_;            // furrows of the micro-relief, [0, 1]
};

}  // namespace

std::array<GradeWeights, kNumAttributes> DefaultGradeWeights() {
  std::array<GradeWeights, kNumAttributes> weights;
  weights[AttributeIndex(Attribute::kOil)] = {0.28, 0.36, 0.22, 0.10, 0.04};
  weights[AttributeIndex(Attribute::kHydration)] = {0.25, 0.38, 0.25, 0.09, 0.03};
  weights[AttributeIndex(Attribute::kWrinkle)] = {0.34, 0.30, 0.20, 0.12, 0.04};
  weights[AttributeIndex(Attribute::kPigmentation)] = {0.30, 0.33, 0.22, 0.11, 0.04};
  weights[AttributeIndex(Attribute::kSensitivity)] = {0.38, 0.32, 0.18, 0.09, 0.03};
  return weights;
}

namespace {

// Parses N comma-separated non-negative weights with a positive sum; `what`
// names them in errors ("grade weights"), `range` says what they index.
template <size_t N>
absl::StatusOr<std::array<double, N>> ParseWeights(absl::string_view text, absl::string_view what,
                                                   absl::string_view range) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ',');
  if (parts.size() != N) {
    return absl::InvalidArgumentError(absl::StrCat(what, " \"", text, "\" have ", parts.size(),
                                                   " values; need ", N, " (", range, ")"));
  }
  std::array<double, N> weights{};
  double total = 0;
  for (size_t i = 0; i < N; ++i) {
    const absl::string_view part = absl::StripAsciiWhitespace(parts[i]);
    if (!absl::SimpleAtod(part, &weights[i]) || !std::isfinite(weights[i]) || weights[i] < 0) {
      return absl::InvalidArgumentError(absl::StrCat(absl::StripSuffix(what, "s"), " \"", part,
                                                     "\" in \"", text,
                                                     "\" is not a non-negative number"));
    }
    total += weights[i];
  }
  if (total <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(what, " \"", text, "\" sum to zero"));
  }
  return weights;
}

// Whether every weight is a non-negative number and their sum is positive.
template <size_t N>
bool ValidWeights(const std::array<double, N>& weights) {
  double total = 0;
  for (double w : weights) {
    if (!std::isfinite(w) || w < 0) return false;
    total += w;
  }
  return total > 0;
}

}  // namespace

absl::StatusOr<GradeWeights> ParseGradeWeights(absl::string_view text) {
  return ParseWeights<kNumGrades>(text, "grade weights", "grades 0..4");
}

SkinTypeWeights DefaultSkinTypeWeights() {
  SkinTypeWeights weights;
  std::copy(std::begin(kSkinTypeWeights), std::end(kSkinTypeWeights), weights.begin());
  return weights;
}

absl::StatusOr<SkinTypeWeights> ParseSkinTypeWeights(absl::string_view text) {
  return ParseWeights<6>(text, "skin type weights", "Fitzpatrick types I..VI");
}

absl::Status ValidateSynthConfig(const SynthConfig& config) {
  if (config.size < 32 || config.size > 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("image size ", config.size, " is outside 32..4096"));
  }
  if (!(config.unlabelled_rate >= 0 && config.unlabelled_rate <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unlabelled rate ", config.unlabelled_rate, " is outside 0..1"));
  }
  for (int a = 0; a < kNumAttributes; ++a) {
    double total = 0;
    for (double w : config.grade_weights[a]) {
      if (!std::isfinite(w) || w < 0) {
        return absl::InvalidArgumentError(absl::StrCat("grade weights of ",
                                                       AttributeName(kAllAttributes[a]),
                                                       " must be non-negative numbers"));
      }
      total += w;
    }
    if (total <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("grade weights of ", AttributeName(kAllAttributes[a]), " sum to zero"));
    }
  }
  if (!ValidWeights(config.skin_type_weights)) {
    return absl::InvalidArgumentError(
        "skin type weights must be non-negative numbers with a positive sum");
  }
  for (const std::string& part : config.parts) {
    if (std::find(kSynthParts.begin(), kSynthParts.end(), part) == kSynthParts.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown face region \"", part, "\"; known: ", absl::StrJoin(kSynthParts, ",")));
    }
  }
  return absl::OkStatus();
}

std::array<int, kNumAttributes> SampleSpec::Labels() const {
  std::array<int, kNumAttributes> labels{};
  for (int a = 0; a < kNumAttributes; ++a) {
    labels[a] = labelled[a] ? grades[a] : kUnlabelled;
  }
  return labels;
}

absl::StatusOr<SkinSynthesizer> SkinSynthesizer::Create(SynthConfig config) {
  if (absl::Status status = ValidateSynthConfig(config); !status.ok()) return status;
  SkinSynthesizer synth(std::move(config));
  for (int p = 0; p < static_cast<int>(kSynthParts.size()); ++p) {
    const auto& parts = synth.config_.parts;
    if (parts.empty() || std::find(parts.begin(), parts.end(), kSynthParts[p]) != parts.end()) {
      synth.part_indices_.push_back(p);
    }
  }
  return synth;
}

SampleSpec SkinSynthesizer::SpecFor(int64_t index) const {
  const uint64_t seed = config_.seed;
  const auto i = static_cast<uint64_t>(index);
  SampleSpec spec;
  for (int a = 0; a < kNumAttributes; ++a) {
    cv::RNG grade_rng = Stream(seed, i, kStreamGrade + a);
    spec.grades[a] = SampleWeighted(grade_rng, config_.grade_weights[a].data(), kNumGrades);
    cv::RNG label_rng = Stream(seed, i, kStreamLabelled + a);
    spec.labelled[a] = !Chance(label_rng, config_.unlabelled_rate);
  }
  cv::RNG part_rng = Stream(seed, i, kStreamPart);
  spec.part = part_indices_[static_cast<size_t>(
      UniformInt(part_rng, 0, static_cast<int>(part_indices_.size()) - 1))];
  cv::RNG type_rng = Stream(seed, i, kStreamSkinType);
  spec.fitzpatrick = 1 + SampleWeighted(type_rng, config_.skin_type_weights.data(), 6);
  spec.appearance_seed = DeriveSeed(seed, i, kStreamAppearance);
  return spec;
}

absl::StatusOr<SynthSample> SkinSynthesizer::Render(const SampleSpec& spec) const {
  for (int a = 0; a < kNumAttributes; ++a) {
    if (spec.grades[a] < 0 || spec.grades[a] >= kNumGrades) {
      return absl::InvalidArgumentError(absl::StrCat(AttributeName(kAllAttributes[a]), " grade ",
                                                     spec.grades[a], " is outside 0..4"));
    }
  }
  if (spec.part < 0 || spec.part >= static_cast<int>(kSynthParts.size())) {
    return absl::InvalidArgumentError(absl::StrCat("part index ", spec.part, " is out of range"));
  }
  if (spec.fitzpatrick < 1 || spec.fitzpatrick > 6) {
    return absl::InvalidArgumentError(
        absl::StrCat("Fitzpatrick type ", spec.fitzpatrick, " is outside 1..6"));
  }
  try {
    Renderer renderer(spec, config_.size);
    return renderer.Render();
  } catch (const cv::Exception& e) {
    return absl::InternalError(absl::StrCat("rendering synthetic sample failed: ", e.what()));
  }
}

}  // namespace skinlens::training
