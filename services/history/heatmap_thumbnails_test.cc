#include "services/history/heatmap_thumbnails.h"

#include <string>

#include "gtest/gtest.h"

namespace skinlens::history {
namespace {

v1::Diagnosis WithHeatmap(int width, int height, std::string values) {
  v1::Diagnosis d;
  d.set_explanation_status(v1::EXPLANATION_STATUS_COMPLETE);
  v1::Heatmap* h = d.add_heatmaps();
  h->set_attribute(v1::ATTRIBUTE_WRINKLE);
  h->set_width(width);
  h->set_height(height);
  h->set_values(std::move(values));
  h->mutable_box()->set_center_x(10);
  h->set_overlay("overlay");
  return d;
}

TEST(StoredHeatmaps, OffDropsEveryHeatmapAndSaysNotStored) {
  v1::Diagnosis d = WithHeatmap(4, 4, std::string(16, 'a'));
  d.add_photo_heatmaps()->set_width(2);
  const v1::Diagnosis stored = StoredHeatmaps(d, 0);
  EXPECT_EQ(stored.heatmaps_size(), 0);
  EXPECT_EQ(stored.photo_heatmaps_size(), 0);
  EXPECT_EQ(stored.explanation_status(), v1::EXPLANATION_STATUS_NOT_STORED);
}

TEST(StoredHeatmaps, OffKeepsTheStatusOfADiagnosisThatHadNoHeatmaps) {
  v1::Diagnosis d;
  d.set_explanation_status(v1::EXPLANATION_STATUS_NOT_REQUESTED);
  EXPECT_EQ(StoredHeatmaps(d, 0).explanation_status(), v1::EXPLANATION_STATUS_NOT_REQUESTED);
  EXPECT_EQ(StoredHeatmaps(d, 32).explanation_status(), v1::EXPLANATION_STATUS_NOT_REQUESTED);
}

TEST(StoredHeatmaps, ShrinksByAreaAveragingKeepingAspectAndBox) {
  // 4 x 2: left half 0, right half 200 -> 2 x 1 keeps the two halves apart.
  std::string values;
  for (int row = 0; row < 2; ++row) values += std::string("\0\0\xc8\xc8", 4);
  const v1::Diagnosis stored = StoredHeatmaps(WithHeatmap(4, 2, values), 2);
  ASSERT_EQ(stored.heatmaps_size(), 1);
  const v1::Heatmap& h = stored.heatmaps(0);
  EXPECT_EQ(h.width(), 2);
  EXPECT_EQ(h.height(), 1);
  EXPECT_EQ(h.values(), std::string("\0\xc8", 2));
  EXPECT_EQ(h.box().center_x(), 10);
  EXPECT_TRUE(h.overlay().empty());
  EXPECT_EQ(h.attribute(), v1::ATTRIBUTE_WRINKLE);
  EXPECT_EQ(stored.explanation_status(), v1::EXPLANATION_STATUS_THUMBNAILS);
}

TEST(StoredHeatmaps, SmallHeatmapsKeepTheirPixels) {
  const std::string values = "\x01\x02\x03\x04\x05\x06";
  const v1::Diagnosis stored = StoredHeatmaps(WithHeatmap(3, 2, values), 32);
  ASSERT_EQ(stored.heatmaps_size(), 1);
  EXPECT_EQ(stored.heatmaps(0).values(), values);
  EXPECT_EQ(stored.heatmaps(0).width(), 3);
}

TEST(StoredHeatmaps, DropsAHeatmapWhoseBytesDoNotMatchItsSize) {
  v1::Diagnosis d = WithHeatmap(8, 8, std::string(63, 'x'));
  *d.add_heatmaps() = WithHeatmap(2, 2, std::string(4, 'y')).heatmaps(0);
  const v1::Diagnosis stored = StoredHeatmaps(d, 16);
  ASSERT_EQ(stored.heatmaps_size(), 1);
  EXPECT_EQ(stored.heatmaps(0).values(), std::string(4, 'y'));
}

TEST(StoredHeatmaps, PhotoHeatmapScaleFollowsTheThumbnail) {
  v1::Diagnosis d;
  v1::PhotoHeatmap* p = d.add_photo_heatmaps();
  p->set_width(100);
  p->set_height(50);
  p->set_scale(0.25f);
  p->set_values(std::string(5000, '\x7f'));
  p->set_overlay("overlay");
  const v1::Diagnosis stored = StoredHeatmaps(d, 20);
  ASSERT_EQ(stored.photo_heatmaps_size(), 1);
  EXPECT_EQ(stored.photo_heatmaps(0).width(), 20);
  EXPECT_EQ(stored.photo_heatmaps(0).height(), 10);
  EXPECT_FLOAT_EQ(stored.photo_heatmaps(0).scale(), 0.05f);
  EXPECT_EQ(stored.photo_heatmaps(0).values(), std::string(200, '\x7f'));
  EXPECT_TRUE(stored.photo_heatmaps(0).overlay().empty());
}

}  // namespace
}  // namespace skinlens::history
