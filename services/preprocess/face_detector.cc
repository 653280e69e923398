#include "face_detector.h"

#include <algorithm>
#include <fstream>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "opencv2/imgproc.hpp"

namespace skinlens::preprocess {

absl::StatusOr<std::unique_ptr<FaceDetector::Cascades>> FaceDetector::Load(
    const FaceDetectorOptions& options) {
  auto cascades = std::make_unique<Cascades>();
  for (auto [file, cascade] : {std::make_pair(options.face_cascade, &cascades->face),
                               std::make_pair(options.eye_cascade, &cascades->eye)}) {
    const std::string path = absl::StrCat(options.cascade_dir, "/", file);
    if (!std::ifstream(path).good()) {
      return absl::NotFoundError(
          absl::StrCat("cannot open cascade '", path, "' (is Debian's opencv-data installed?)"));
    }
    bool loaded = false;
    try {
      loaded = cascade->load(path);
    } catch (const cv::Exception& e) {
      return absl::NotFoundError(absl::StrCat("cannot load cascade '", path, "': ", e.what()));
    }
    if (!loaded) {
      return absl::NotFoundError(
          absl::StrCat("cannot load cascade '", path, "' (is Debian's opencv-data installed?)"));
    }
  }
  return cascades;
}

absl::StatusOr<std::unique_ptr<FaceDetector>> FaceDetector::Create(
    const FaceDetectorOptions& options) {
  std::unique_ptr<FaceDetector> detector(new FaceDetector(options));
  // The first pair is loaded now, so a missing file fails at start-up.
  SKINLENS_ASSIGN_OR_RETURN(std::unique_ptr<Cascades> first, Load(options));
  absl::MutexLock lock(&detector->mu_);  // Not shared yet; the lock satisfies the annotations.
  detector->idle_.push_back(std::move(first));
  detector->loaded_ = 1;
  detector->max_parallel_ =
      options.max_parallel > 0 ? options.max_parallel
                               : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  return detector;
}

std::unique_ptr<FaceDetector::Cascades> FaceDetector::Borrow() const {
  auto can_borrow = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !idle_.empty() || loaded_ < max_parallel_;
  };
  auto one_idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !idle_.empty(); };
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&can_borrow));
    if (!idle_.empty()) {
      std::unique_ptr<Cascades> cascades = std::move(idle_.back());
      idle_.pop_back();
      return cascades;
    }
    ++loaded_;
  }
  // The files loaded once already; should they have gone since, this caller
  // waits for a pair in use instead.
  absl::StatusOr<std::unique_ptr<Cascades>> cascades = Load(options_);
  if (cascades.ok()) return *std::move(cascades);
  absl::MutexLock lock(&mu_);
  --loaded_;
  max_parallel_ = loaded_;
  mu_.Await(absl::Condition(&one_idle));
  std::unique_ptr<Cascades> idle = std::move(idle_.back());
  idle_.pop_back();
  return idle;
}

void FaceDetector::GiveBack(std::unique_ptr<Cascades> cascades) const {
  absl::MutexLock lock(&mu_);  // Waiters' conditions are checked as it is released.
  idle_.push_back(std::move(cascades));
}

std::vector<cv::Rect> SuppressImplausibleFaces(
    std::vector<cv::Rect> boxes, const std::function<bool(const cv::Rect&)>& has_an_eye) {
  std::sort(boxes.begin(), boxes.end(),
            [](const cv::Rect& a, const cv::Rect& b) { return a.area() > b.area(); });
  std::vector<cv::Rect> kept;
  for (const cv::Rect& box : boxes) {
    if (kept.empty()) {
      kept.push_back(box);
      continue;
    }
    const cv::Rect& largest = kept.front();
    if (box.width < 0.35 * largest.width) continue;
    bool overlaps = false;
    for (const cv::Rect& k : kept) {
      if ((box & k).area() > 0) overlaps = true;
    }
    if (overlaps || !has_an_eye(box)) continue;
    kept.push_back(box);
  }
  return kept;
}

std::vector<cv::Rect> FaceDetector::FindFaceBoxes(cv::CascadeClassifier& face, const cv::Mat& grey,
                                                  int min_side) const {
  std::vector<cv::Rect> boxes;
  if (options_.coarse_face_side <= 0) {
    face.detectMultiScale(grey, boxes, 1.1, 3, 0, cv::Size(min_side, min_side));
    return boxes;
  }
  // The coarse pass: most of a full search's time goes to its many small
  // scales, which the scaled copy and the larger steps skip.
  const double factor = std::max(1.0, static_cast<double>(min_side) / options_.coarse_face_side);
  cv::Mat coarse = grey;
  if (factor > 1.0) {
    cv::resize(grey, coarse, cv::Size(), 1.0 / factor, 1.0 / factor, cv::INTER_AREA);
  }
  const int coarse_min = std::max(20, static_cast<int>(min_side / factor));
  std::vector<cv::Rect> proposals;
  face.detectMultiScale(coarse, proposals, 1.2, 1, 0, cv::Size(coarse_min, coarse_min));
  const cv::Rect whole(0, 0, grey.cols, grey.rows);
  for (const cv::Rect& proposal : proposals) {
    const cv::Rect box(cvRound(proposal.x * factor), cvRound(proposal.y * factor),
                       cvRound(proposal.width * factor), cvRound(proposal.height * factor));
    // Half a face of margin on each side, sizes within 1.4x of the proposal.
    const int margin = box.width / 2;
    const cv::Rect around =
        cv::Rect(box.x - margin, box.y - margin, box.width + 2 * margin, box.height + 2 * margin) &
        whole;
    const int smallest = std::max(min_side, static_cast<int>(box.width / 1.4));
    const int largest = static_cast<int>(box.width * 1.4) + 1;
    if (around.width < smallest || around.height < smallest) continue;
    std::vector<cv::Rect> found;
    face.detectMultiScale(grey(around), found, 1.1, 3, 0, cv::Size(smallest, smallest),
                          cv::Size(largest, largest));
    for (cv::Rect f : found) {
      f.x += around.x;
      f.y += around.y;
      // Neighbouring proposals find the same face again; it counts once.
      const bool seen = std::any_of(boxes.begin(), boxes.end(), [&](const cv::Rect& b) {
        return 2 * (b & f).area() > std::min(b.area(), f.area());
      });
      if (!seen) boxes.push_back(f);
    }
  }
  return boxes;
}

std::vector<Face> FaceDetector::Detect(const cv::Mat& bgr) const {
  std::vector<Face> faces;
  if (bgr.empty()) return faces;
  const double scale = std::min(
      1.0, static_cast<double>(options_.max_detection_side) / std::max(bgr.cols, bgr.rows));
  cv::Mat grey;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  if (scale < 1.0) cv::resize(grey, grey, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::equalizeHist(grey, grey);

  // Faces below a tenth of the photo are far too small to judge; not searching
  // for them makes detection several times faster.
  const int min_side =
      std::max(options_.min_face_side,
               static_cast<int>(options_.min_face_fraction * std::min(grey.cols, grey.rows)));
  // Given back however this call ends (OpenCV may throw).
  struct Lease {
    const FaceDetector* detector;
    std::unique_ptr<Cascades> cascades;
    ~Lease() { detector->GiveBack(std::move(cascades)); }
  } lease{this, Borrow()};
  Cascades* cascades = lease.cascades.get();
  std::vector<cv::Rect> boxes = FindFaceBoxes(cascades->face, grey, min_side);
  // A second face counts only with an eye in the upper part of it.
  boxes = SuppressImplausibleFaces(std::move(boxes), [&](const cv::Rect& box) {
    const cv::Rect band =
        cv::Rect(box.x, box.y + box.height * 15 / 100, box.width, box.height * 45 / 100) &
        cv::Rect(0, 0, grey.cols, grey.rows);
    if (band.area() == 0) return false;
    std::vector<cv::Rect> eyes;
    cascades->eye.detectMultiScale(
        grey(band), eyes, 1.1, 3, 0,
        cv::Size(std::max(4, box.width / 8), std::max(4, box.width / 8)));
    return !eyes.empty();
  });
  for (size_t i = 0; i < boxes.size(); ++i) {
    const cv::Rect& box = boxes[i];
    Face face;
    face.box = cv::Rect2d(box.x / scale, box.y / scale, box.width / scale, box.height / scale);
    if (i == 0) {
      // Eyes lie in the band from 15% to 60% of the face height.
      const cv::Rect band =
          cv::Rect(box.x, box.y + box.height * 15 / 100, box.width, box.height * 45 / 100) &
          cv::Rect(0, 0, grey.cols, grey.rows);
      const int min_eye = std::max(4, box.width / 8);
      std::vector<cv::Rect> eyes;
      if (band.area() > 0) {
        cascades->eye.detectMultiScale(grey(band), eyes, 1.1, 3, 0, cv::Size(min_eye, min_eye));
      }
      // The largest eye on each side of the face's vertical midline.
      const double mid_x = box.width / 2.0;
      std::optional<cv::Rect> image_left, image_right;
      for (const cv::Rect& e : eyes) {
        const double cx = e.x + e.width / 2.0;
        std::optional<cv::Rect>& side = cx < mid_x ? image_left : image_right;
        if (!side || e.area() > side->area()) side = e;
      }
      auto centre = [&](const cv::Rect& e) {
        return cv::Point2d((band.x + e.x + e.width / 2.0) / scale,
                           (band.y + e.y + e.height / 2.0) / scale);
      };
      // The subject's right eye appears on the image's left.
      if (image_left) face.right_eye = centre(*image_left);
      if (image_right) face.left_eye = centre(*image_right);
    }
    faces.push_back(face);
  }
  return faces;
}

}  // namespace skinlens::preprocess
