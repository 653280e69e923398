// Face and eye detection with OpenCV's Haar cascades (Debian's opencv-data).
//
// Faces are found with haarcascade_frontalface_alt2.xml (the seed's choice) on
// a grey, histogram-equalised copy scaled so its longer side is at most
// `max_detection_side`; the eyes with haarcascade_eye.xml in the upper part of
// the face, for roll alignment and the turn estimate.
//
// The face search runs coarse to fine: a quick pass over a copy scaled so the
// smallest face searched is `coarse_face_side` pixels, with scale steps of 1.2
// and no neighbour vote, proposes where faces may be; the full search (steps
// of 1.1, three neighbours) then runs only around each proposal, at sizes near
// it. On the portrait's turned, scaled and mirrored variants it finds the face
// at least as often as a full search of the whole image, in half the time
// (docs/BENCHMARKS.md, "Face search").
//
//   auto detector = FaceDetector::Create(FaceDetectorOptions{});
//   if (!detector.ok()) return detector.status();
//   std::vector<Face> faces = (*detector)->Detect(image.bgr);
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "opencv2/core/types.hpp"
#include "opencv2/objdetect.hpp"

namespace skinlens::preprocess {

// A detected face, in pixel coordinates of the image searched.
struct Face {
  cv::Rect2d box;  // Upright face box; x, y is the top-left corner.
  // Eye centres. "Left" is the subject's left, i.e. on the image's right.
  std::optional<cv::Point2d> left_eye;
  std::optional<cv::Point2d> right_eye;

  bool has_eyes() const { return left_eye.has_value() && right_eye.has_value(); }
};

// Where the cascades are and how the search runs.
struct FaceDetectorOptions {
  std::string cascade_dir = "/usr/share/opencv4/haarcascades";
  std::string face_cascade = "haarcascade_frontalface_alt2.xml";
  std::string eye_cascade = "haarcascade_eye.xml";
  int max_detection_side = 1024;   // Larger photos are searched scaled down.
  int min_face_side = 24;          // Smallest face searched, in detection pixels,
  double min_face_fraction = 0.1;  // and at least this fraction of the shorter side.
  // Side of the smallest face in the coarse pass's copy; 0 searches the whole
  // image at full detail instead.
  int coarse_face_side = 32;
  // Searches that run at once, each with its own cascades (0: one per core).
  int max_parallel = 0;
};

// The detections of one search (largest first) less those that are not
// another person's face: one overlapping the largest face or lying inside it
// (the cascade often fires on part of a face, or twice), one whose side is
// under 35 % of the largest's (too small to be a bystander close enough to
// matter, and the usual size of false hits on textures), one in which
// `has_an_eye` finds no eye; and repeated detections of the same second face
// count once. The largest is always kept.
std::vector<cv::Rect> SuppressImplausibleFaces(
    std::vector<cv::Rect> boxes, const std::function<bool(const cv::Rect&)>& has_an_eye);

// Finds faces and their eyes. Thread-safe: OpenCV's cascade classifier is not,
// so each concurrent call borrows its own pair from a pool, loaded on first
// need up to `max_parallel` pairs; further callers wait for one.
class FaceDetector {
 public:
  // Loads the cascades; NOT_FOUND naming the file when one cannot be loaded.
  static absl::StatusOr<std::unique_ptr<FaceDetector>> Create(const FaceDetectorOptions& options);

  // Every face in `bgr` (CV_8UC3, not empty), largest first, after
  // SuppressImplausibleFaces; the eyes are given for the largest face only.
  std::vector<Face> Detect(const cv::Mat& bgr) const;

 private:
  // One face and one eye cascade; used by one call at a time.
  struct Cascades {
    cv::CascadeClassifier face;
    cv::CascadeClassifier eye;
  };

  explicit FaceDetector(FaceDetectorOptions options) : options_(std::move(options)) {}

  // Raw face boxes in `grey` (the full search's, or the coarse-to-fine one's
  // per `coarse_face_side`), faces smaller than `min_side` not searched.
  std::vector<cv::Rect> FindFaceBoxes(cv::CascadeClassifier& face, const cv::Mat& grey,
                                      int min_side) const;

  // Loads a pair from the files named in the options.
  static absl::StatusOr<std::unique_ptr<Cascades>> Load(const FaceDetectorOptions& options);
  // An idle pair, a newly loaded one while fewer than max_parallel exist, or
  // the next one given back.
  std::unique_ptr<Cascades> Borrow() const;
  void GiveBack(std::unique_ptr<Cascades> cascades) const;

  FaceDetectorOptions options_;
  mutable absl::Mutex mu_;
  mutable int max_parallel_ ABSL_GUARDED_BY(mu_) = 1;
  mutable std::vector<std::unique_ptr<Cascades>> idle_ ABSL_GUARDED_BY(mu_);
  mutable int loaded_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace skinlens::preprocess
