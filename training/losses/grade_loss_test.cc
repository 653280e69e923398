#include "training/losses/grade_loss.h"

#include <cmath>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace skinlens::training {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kTol = 1e-9;

// The softmax of log(p) + c is p for any c, so these rows have known
// probabilities; the offsets make sure the loss does not rely on the logits
// being normalised.
//   A: p = [0.1, 0.2, 0.4, 0.2, 0.1]
//   B: p = [0.5, 0.25, 0.125, 0.0625, 0.0625]   (-log p = [1, 2, 3, 4, 4] * ln 2)
//   C: p = B reversed
const std::vector<double> kA = {0.1, 0.2, 0.4, 0.2, 0.1};
const std::vector<double> kB = {0.5, 0.25, 0.125, 0.0625, 0.0625};
const std::vector<double> kC = {0.0625, 0.0625, 0.125, 0.25, 0.5};
const double kLn2 = std::log(2.0);

torch::Tensor Row(const std::vector<double>& p, double offset) {
  return torch::log(torch::tensor(p, torch::kDouble)) + offset;
}

// Logits [2, 5] of rows A and B, a leaf that records gradients.
torch::Tensor LogitsAB() {
  return torch::stack({Row(kA, 1.5), Row(kB, -0.7)}).set_requires_grad(true);
}

torch::Tensor Targets(std::vector<int64_t> t) { return torch::tensor(t, torch::kLong); }

GradeLoss Make(const std::string& name, const nlohmann::json& params = nullptr,
               std::vector<int64_t> counts = {}) {
  absl::StatusOr<GradeLoss> loss = CreateGradeLoss(name, params, counts);
  EXPECT_TRUE(loss.ok()) << loss.status();
  return *std::move(loss);
}

double Value(const GradeLoss& loss, const torch::Tensor& logits, const torch::Tensor& targets) {
  absl::StatusOr<torch::Tensor> v = loss(logits, targets);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? v->item<double>() : std::nan("");
}

std::vector<double> ToVector(const torch::Tensor& t) {
  torch::Tensor c = t.detach().to(torch::kDouble).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// Counts for the class-balanced tests: n = [8, 4, 2, 1, 1]. With beta = 0.5,
// w_c = (1 - 0.5) / (1 - 0.5^n_c) = [128/255, 8/15, 2/3, 1, 1], summing to 944/255;
// scaled by 5 / (944/255) = 1275/944 they are [40/59, 85/118, 425/472, 1275/944, 1275/944].
const std::vector<int64_t> kCounts = {8, 4, 2, 1, 1};

// Row A target 2: -ln 0.4 = 0.916291; row B target 0: -ln 0.5 = 0.693147.
// Mean = (0.916291 + 0.693147) / 2 = 0.804719.
TEST(CrossEntropy, MatchesHandComputedValue) {
  EXPECT_NEAR(Value(Make("ce"), LogitsAB(), Targets({2, 0})), 0.8047189562170501, kTol);
}

// d mean CE / d logits = (p - one-hot) / N.
TEST(CrossEntropy, GradientIsSoftmaxMinusOneHotOverBatch) {
  torch::Tensor logits = LogitsAB();
  absl::StatusOr<torch::Tensor> v = Make("ce")(logits, Targets({2, 0}));
  ASSERT_TRUE(v.ok()) << v.status();
  v->backward();
  const std::vector<double> g = ToVector(logits.grad());
  const std::vector<double> want = {0.05,  0.1,   -0.3,   0.1,     0.05,      // (A - e2) / 2
                                    -0.25, 0.125, 0.0625, 0.03125, 0.03125};  // (B - e0) / 2
  ASSERT_EQ(g.size(), want.size());
  for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], want[i], kTol) << i;
}

// epsilon 0.1, K 5: loss = 0.9 * (-ln p_y) + 0.1 * mean_k(-ln p_k).
//   A, y 2: mean_k -ln p = (2*2.302585 + 2*1.609438 + 0.916291) / 5 = 1.748067;
//           0.9 * 0.916291 + 0.1 * 1.748067 = 0.999468
//   B, y 0: mean_k -ln p = (1+2+3+4+4)/5 ln2 = 2.8 ln2; 0.9 ln2 + 0.28 ln2 = 1.18 ln2 = 0.817914
// Mean = 0.908691.
TEST(LabelSmoothing, MatchesHandComputedValue) {
  EXPECT_NEAR(Value(Make("ls", {{"epsilon", 0.1}}), LogitsAB(), Targets({2, 0})), 0.908691033301042,
              kTol);
  EXPECT_NEAR(Value(Make("ls", {{"epsilon", 0.1}}), LogitsAB().narrow(0, 1, 1), Targets({0})),
              1.18 * kLn2, kTol)
      << "a single row";
}

TEST(LabelSmoothing, WithZeroEpsilonIsCrossEntropy) {
  EXPECT_NEAR(Value(Make("ls", {{"epsilon", 0}}), LogitsAB(), Targets({2, 0})),
              Value(Make("ce"), LogitsAB(), Targets({2, 0})), kTol);
}

// gamma 2: loss = (1 - p_y)^2 * (-ln p_y).
//   A, y 2: 0.6^2 * 0.916291 = 0.329865;  B, y 0: 0.5^2 * 0.693147 = 0.173287
// Mean = 0.251576.
TEST(Focal, MatchesHandComputedValue) {
  EXPECT_NEAR(Value(Make("focal", {{"gamma", 2}}), LogitsAB(), Targets({2, 0})),
              0.25157572930734107, kTol);
}

// alpha [0.25, 1, 2, 1, 1]: (2 * 0.329865 + 0.25 * 0.173287) / 2 = 0.351526.
TEST(Focal, AlphaWeighsEachGrade) {
  GradeLoss loss = Make("focal", {{"gamma", 2}, {"alpha", {0.25, 1, 2, 1, 1}}});
  EXPECT_NEAR(Value(loss, LogitsAB(), Targets({2, 0})), 0.3515255128671941, kTol);
  // A number is the same alpha for every grade: it scales the loss.
  EXPECT_NEAR(Value(Make("focal", {{"gamma", 2}, {"alpha", 0.5}}), LogitsAB(), Targets({2, 0})),
              0.5 * 0.25157572930734107, kTol);
}

TEST(Focal, WithZeroGammaIsCrossEntropy) {
  EXPECT_NEAR(Value(Make("focal", {{"gamma", 0}}), LogitsAB(), Targets({2, 0})), 0.8047189562170501,
              kTol);
}

TEST(ClassBalancedWeights, MatchHandComputedEffectiveNumbers) {
  absl::StatusOr<std::vector<double>> w = ClassBalancedWeights(kCounts, 0.5);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_EQ(w->size(), 5u);
  EXPECT_NEAR((*w)[0], 40.0 / 59, kTol);
  EXPECT_NEAR((*w)[1], 85.0 / 118, kTol);
  EXPECT_NEAR((*w)[2], 425.0 / 472, kTol);
  EXPECT_NEAR((*w)[3], 1275.0 / 944, kTol);
  EXPECT_NEAR((*w)[4], 1275.0 / 944, kTol);
}

// n = [3, 0, 1, 0, 0], beta 0.5: w = [0.5 / (7/8), -, 0.5 / 0.5] = [4/7, 1], sum 11/7;
// scaled to sum to the 2 present grades: [8/11, 0, 14/11, 0, 0].
TEST(ClassBalancedWeights, AbsentGradeWeighsZeroAndPresentOnesSumToTheirCount) {
  absl::StatusOr<std::vector<double>> w = ClassBalancedWeights({3, 0, 1, 0, 0}, 0.5);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_NEAR((*w)[0], 8.0 / 11, kTol);
  EXPECT_EQ((*w)[1], 0.0);
  EXPECT_NEAR((*w)[2], 14.0 / 11, kTol);
  EXPECT_EQ((*w)[3], 0.0);
  EXPECT_EQ((*w)[4], 0.0);
}

// beta = 0 weighs every sample 1; beta -> 1 tends to inverse frequency:
// n = [1, 2, 4] -> 1/n = [1, 0.5, 0.25], scaled to sum 3: [12/7, 6/7, 3/7].
TEST(ClassBalancedWeights, RangeFromUniformToInverseFrequency) {
  absl::StatusOr<std::vector<double>> uniform = ClassBalancedWeights({100, 10, 1}, 0.0);
  ASSERT_TRUE(uniform.ok()) << uniform.status();
  EXPECT_THAT(*uniform, ElementsAre(1.0, 1.0, 1.0));
  absl::StatusOr<std::vector<double>> inverse = ClassBalancedWeights({1, 2, 4}, 0.999999);
  ASSERT_TRUE(inverse.ok()) << inverse.status();
  EXPECT_NEAR((*inverse)[0], 12.0 / 7, 1e-5);
  EXPECT_NEAR((*inverse)[1], 6.0 / 7, 1e-5);
  EXPECT_NEAR((*inverse)[2], 3.0 / 7, 1e-5);
}

TEST(ClassBalancedWeights, RejectBadInput) {
  EXPECT_EQ(ClassBalancedWeights(kCounts, 1.0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ClassBalancedWeights(kCounts, -0.1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ClassBalancedWeights({}, 0.9).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ClassBalancedWeights({3, -1}, 0.9).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ClassBalancedWeights({0, 0}, 0.9).status().code(), absl::StatusCode::kInvalidArgument);
}

// CE weighted by w[y] and averaged over samples (not divided by the sum of weights):
// (425/472 * 0.916291 + 40/59 * 0.693147) / 2 = (0.825051 + 0.469930) / 2 = 0.647490.
TEST(ClassBalancedCrossEntropy, MatchesHandComputedValue) {
  EXPECT_NEAR(Value(Make("cb_ce", {{"beta", 0.5}}, kCounts), LogitsAB(), Targets({2, 0})),
              0.6474901046882398, kTol);
}

TEST(ClassBalancedCrossEntropy, WithZeroBetaIsCrossEntropy) {
  EXPECT_NEAR(Value(Make("cb_ce", {{"beta", 0}}, kCounts), LogitsAB(), Targets({2, 0})),
              0.8047189562170501, kTol);
}

// Focal terms of the focal test weighted by w[y]:
// (425/472 * 0.329865 + 40/59 * 0.173287) / 2 = (0.297018 + 0.117483) / 2 = 0.207250.
TEST(ClassBalancedFocal, MatchesHandComputedValue) {
  EXPECT_NEAR(
      Value(Make("cb_focal", {{"beta", 0.5}, {"gamma", 2}}, kCounts), LogitsAB(), Targets({2, 0})),
      0.2072502716329887, kTol);
}

// epsilon 0.1; loss = -sum_k q_k ln p_k with q only on the true and adjacent grades:
//   A, y 2 (inner): q = [0, 0.05, 0.9, 0.05, 0]: 0.9 * 0.916291 + 2 * 0.05 * 1.609438 = 0.985605
//   B, y 0 (edge):  q = [0.9, 0.1, 0, 0, 0]:     0.9 ln2 + 0.1 * 2 ln2 = 1.1 ln2 = 0.762462
//   C, y 4 (edge):  q = [0, 0, 0, 0.1, 0.9]:     the mirror of B, 1.1 ln2
// Mean = (0.985605 + 2 * 0.762462) / 3 = 0.836843.
TEST(MaskedLabelSmoothing, MatchesHandComputedValue) {
  torch::Tensor logits = torch::stack({Row(kA, 0.3), Row(kB, 2.0), Row(kC, -1.0)});
  GradeLoss loss = Make("masked_ls", {{"epsilon", 0.1}});
  EXPECT_NEAR(Value(loss, logits, Targets({2, 0, 4})), 0.8368430823873431, kTol);
  EXPECT_NEAR(Value(loss, logits.narrow(0, 1, 1), Targets({0})), 1.1 * kLn2, kTol);
}

// The gradient is (p - q) / N: grades two or more away from the truth get p_k / N,
// exactly as without smoothing, and the neighbours absorb the smoothing mass.
//   A, y 2: ([0.1, 0.2, 0.4, 0.2, 0.1] - [0, 0.05, 0.9, 0.05, 0]) / 3
//   B, y 0: ([0.5, 0.25, 0.125, 0.0625, 0.0625] - [0.9, 0.1, 0, 0, 0]) / 3
//   C, y 4: ([0.0625, 0.0625, 0.125, 0.25, 0.5] - [0, 0, 0, 0.1, 0.9]) / 3
TEST(MaskedLabelSmoothing, GradientPutsSmoothingMassOnlyOnAdjacentGrades) {
  torch::Tensor logits =
      torch::stack({Row(kA, 0.0), Row(kB, 0.0), Row(kC, 0.0)}).set_requires_grad(true);
  absl::StatusOr<torch::Tensor> v =
      Make("masked_ls", {{"epsilon", 0.1}})(logits, Targets({2, 0, 4}));
  ASSERT_TRUE(v.ok()) << v.status();
  v->backward();
  const std::vector<double> g = ToVector(logits.grad());
  const std::vector<double> want = {0.1,    0.15,   -0.5,  0.15,   0.1,     //
                                    -0.4,   0.15,   0.125, 0.0625, 0.0625,  //
                                    0.0625, 0.0625, 0.125, 0.15,   -0.4};
  ASSERT_EQ(g.size(), want.size());
  for (size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], want[i] / 3, kTol) << i;
}

TEST(MaskedLabelSmoothing, DiffersFromUniformSmoothing) {
  // Uniform smoothing gives mass to the far grades, so the values differ.
  EXPECT_GT(std::abs(Value(Make("masked_ls"), LogitsAB(), Targets({2, 0})) -
                     Value(Make("ls"), LogitsAB(), Targets({2, 0}))),
            1e-3);
}

// Every recipe name, with the counts the class-balanced ones need.
// (One test case per property rather than per name: each case is a process under
// CTest, and loading LibTorch dominates its time.)
template <typename Check>
void ForEveryLoss(Check check) {
  for (const std::string& name : GradeLossNames()) {
    SCOPED_TRACE(name);
    check(Make(name, nullptr, kCounts));
  }
}

// Rows 1 and 3 are masked (-1, -2) and hold extreme logits: the loss must equal
// the loss of rows 0 and 2 alone, and their gradient must be exactly 0.
TEST(EveryLoss, IgnoresMaskedSamples) {
  ForEveryLoss([](const GradeLoss& loss) {
    torch::Tensor logits =
        torch::stack({Row(kA, 0.0), torch::tensor({900.0, -900.0, 0.0, 0.0, 1.0}, torch::kDouble),
                      Row(kB, 0.0), torch::tensor({-1e4, 1e4, 3.0, 2.0, 1.0}, torch::kDouble)})
            .set_requires_grad(true);
    absl::StatusOr<torch::Tensor> masked = loss(logits, Targets({2, -1, 0, -2}));
    ASSERT_TRUE(masked.ok()) << masked.status();
    EXPECT_NEAR(masked->item<double>(), Value(loss, LogitsAB(), Targets({2, 0})), kTol);
    masked->backward();
    const torch::Tensor grad = logits.grad();
    EXPECT_TRUE(torch::isfinite(grad).all().item<bool>());
    EXPECT_EQ(grad[1].abs().sum().item<double>(), 0.0);
    EXPECT_EQ(grad[3].abs().sum().item<double>(), 0.0);
    EXPECT_GT(grad[0].abs().sum().item<double>(), 0.0);
  });
}

TEST(EveryLoss, IsDifferentiableZeroWhenEverySampleIsMasked) {
  ForEveryLoss([](const GradeLoss& loss) {
    torch::Tensor logits = LogitsAB();
    absl::StatusOr<torch::Tensor> v = loss(logits, Targets({-1, -2}));
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->item<double>(), 0.0);
    ASSERT_TRUE(v->requires_grad());
    v->backward();
    EXPECT_EQ(logits.grad().abs().sum().item<double>(), 0.0);
  });
}

TEST(EveryLoss, IsZeroForAnEmptyBatch) {
  ForEveryLoss([](const GradeLoss& loss) {
    absl::StatusOr<torch::Tensor> v =
        loss(torch::zeros({0, 5}, torch::kDouble), torch::zeros({0}, torch::kLong));
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->item<double>(), 0.0);
  });
}

// Gradient descent must raise the true grade's logit and lower those two or
// more grades away; a softmax loss is invariant to adding a constant to a row,
// so each row of the gradient sums to 0.
TEST(EveryLoss, GradientIsFiniteAndPointsTowardsTheTrueGrade) {
  ForEveryLoss([](const GradeLoss& loss) {
    torch::Tensor logits = LogitsAB();
    absl::StatusOr<torch::Tensor> v = loss(logits, Targets({2, 0}));
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_GT(v->item<double>(), 0.0);
    v->backward();
    const torch::Tensor g = logits.grad();
    ASSERT_TRUE(torch::isfinite(g).all().item<bool>());
    EXPECT_LT(g[0][2].item<double>(), 0.0);
    EXPECT_GT(g[0][0].item<double>(), 0.0);
    EXPECT_GT(g[0][4].item<double>(), 0.0);
    EXPECT_LT(g[1][0].item<double>(), 0.0);
    EXPECT_GT(g[1][2].item<double>(), 0.0);
    EXPECT_GT(g[1][4].item<double>(), 0.0);
    EXPECT_NEAR(g[0].sum().item<double>(), 0.0, kTol);
    EXPECT_NEAR(g[1].sum().item<double>(), 0.0, kTol);
  });
}

TEST(EveryLoss, WorksInFloat32WithInt32Targets) {
  ForEveryLoss([](const GradeLoss& loss) {
    torch::Tensor logits = LogitsAB().detach();
    absl::StatusOr<torch::Tensor> v =
        loss(logits.to(torch::kFloat), torch::tensor({2, 0}, torch::kInt));
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_EQ(v->scalar_type(), torch::kFloat);
    EXPECT_NEAR(v->item<double>(), Value(loss, logits, Targets({2, 0})), 1e-6);
  });
}

TEST(GradeLoss, RejectsBadShapesAndTargets) {
  GradeLoss loss = Make("ce");
  const torch::Tensor logits = LogitsAB();
  auto code = [&](const torch::Tensor& l, const torch::Tensor& t) {
    return loss(l, t).status().code();
  };
  EXPECT_EQ(code(logits.flatten(), Targets({2, 0})), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(logits, Targets({2})), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(logits, Targets({2, 0}).to(torch::kFloat)), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(logits.to(torch::kLong), Targets({2, 0})), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(torch::Tensor(), Targets({2, 0})), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(torch::zeros({2, 1}), Targets({0, 0})), absl::StatusCode::kInvalidArgument);
  absl::Status out_of_range = loss(logits, Targets({2, 5})).status();
  EXPECT_EQ(out_of_range.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(out_of_range.message(), HasSubstr("target grade 5"));
}

TEST(GradeLoss, RejectsWeightsThatDoNotMatchTheGrades) {
  absl::Status s = Make("cb_ce", nullptr, kCounts)(torch::zeros({2, 4}), Targets({0, 1})).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("5 grade weights for logits of 4 grades"));
}

TEST(GradeLoss, CreateRejectsOutOfRangeOptions) {
  GradeLossOptions o;
  o.epsilon = 1.5;
  EXPECT_EQ(GradeLoss::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = GradeLossOptions();
  o.gamma = -1;
  EXPECT_EQ(GradeLoss::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
  o = GradeLossOptions();
  o.grade_weights = {1, -1, 1, 1, 1};
  EXPECT_EQ(GradeLoss::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CreateGradeLoss, AppliesDocumentedDefaults) {
  EXPECT_EQ(Make("ce").Describe(), "ce()");
  EXPECT_EQ(Make("ls").Describe(), "ls(epsilon=0.1)");
  EXPECT_EQ(Make("masked_ls").Describe(), "masked_ls(epsilon=0.1)");
  EXPECT_EQ(Make("focal").Describe(), "focal(gamma=2)");
  EXPECT_EQ(Make("focal", {{"gamma", 1.5}, {"alpha", {1, 1, 2, 4, 4}}}).Describe(),
            "focal(gamma=1.5, weights=[1, 1, 2, 4, 4])");
  GradeLoss cb = Make("cb_focal", nlohmann::json::object(), {10, 10, 10, 10, 10});
  EXPECT_EQ(cb.options().gamma, 2.0);
  EXPECT_THAT(cb.options().grade_weights, ElementsAre(1.0, 1.0, 1.0, 1.0, 1.0));
  // beta defaults to 0.999: w ∝ 1 / (1 - 0.999^n) differs between n = 1 and n = 100.
  GradeLoss skewed = Make("cb_ce", nullptr, {100, 1, 1, 1, 1});
  EXPECT_LT(skewed.options().grade_weights[0], skewed.options().grade_weights[1]);
}

TEST(CreateGradeLoss, RejectsUnknownNameListingTheKnownOnes) {
  absl::StatusOr<GradeLoss> loss = CreateGradeLoss("focall", nullptr);
  EXPECT_EQ(loss.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      loss.status().message(),
      HasSubstr("unknown loss 'focall' (known: ce, ls, focal, cb_ce, cb_focal, masked_ls)"));
}

TEST(CreateGradeLoss, RejectsUnknownMistypedAndOutOfRangeParameters) {
  auto status = [](const std::string& name, const nlohmann::json& params,
                   std::vector<int64_t> counts = kCounts) {
    return CreateGradeLoss(name, params, counts).status();
  };
  absl::Status typo = status("focal", {{"gama", 2}});
  EXPECT_EQ(typo.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(typo.message(),
              HasSubstr("loss 'focal' has no parameter 'gama' (it takes: gamma, alpha)"));
  EXPECT_EQ(status("ce", {{"epsilon", 0.1}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status("cb_ce", {{"gamma", 2}}).code(), absl::StatusCode::kInvalidArgument);
  absl::Status mistyped = status("ls", {{"epsilon", "0.1"}});
  EXPECT_EQ(mistyped.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(mistyped.message(), HasSubstr("'epsilon' must be a number"));
  EXPECT_EQ(status("ls", nlohmann::json::array({0.1})).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status("ls", {{"epsilon", 1.2}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status("masked_ls", {{"epsilon", -0.1}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status("focal", {{"gamma", -2}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status("focal", {{"alpha", {1, 2, 3}}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status("focal", {{"alpha", -1}}).code(), absl::StatusCode::kInvalidArgument);
  absl::Status beta = status("cb_focal", {{"beta", 1.0}});
  EXPECT_EQ(beta.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(beta.message(), HasSubstr("loss 'cb_focal': class-balanced beta must be in [0, 1)"));
}

TEST(CreateGradeLoss, ClassBalancedLossesRequireFiveGradeCounts) {
  absl::Status missing = CreateGradeLoss("cb_ce", nullptr).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.message(), HasSubstr("needs the training-set count of each of the 5 grades"));
  EXPECT_EQ(CreateGradeLoss("cb_focal", nullptr, std::vector<int64_t>{1, 2, 3}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      CreateGradeLoss("cb_focal", nullptr, std::vector<int64_t>{0, 0, 0, 0, 0}).status().code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace skinlens::training
