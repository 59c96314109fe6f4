// Batch augmentation transforms, as torchvision's: RandomCrop (pad, then crop at a random offset),
// RandomHorizontalFlip, Normalize (per channel) and Compose. They work on whole batches
// x [B, C, H, W] (or one image [C, H, W]), in place or into one new output tensor, never one
// tensor per example; big batches are split over examples with tt::parallel_for.
// Randomness comes only from the `seed` argument (see Note [Augmentation seeds]); labels are never
// touched. The DataLoader applies them through DataLoaderOptions::transform (data/dataset.h).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "data/dataset.h"

namespace tt::data {

// Note [Augmentation seeds]
// A transform draws every random choice from a Generator seeded with the `seed` it is given, in
// example order (example 0's draws first), before any pixel work; the pixel work is then split
// over threads. So the output depends only on (input, seed) — not on the thread count, nor on
// whether the loader's prefetch thread ran it. The DataLoader passes
// DataLoader::batch_seed(epoch, batch), a hash of (loader seed, epoch, batch index): each batch of
// each epoch gets fresh crops and flips, and a run resumed mid-epoch sees the same ones again.
// Compose gives its k-th transform derive_seed(seed, k), so the stages draw independent streams.

// A well-mixed seed for item `index` of a stream seeded `seed` (the splitmix64 finaliser).
inline uint64_t derive_seed(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Transform {
 public:
  virtual ~Transform() = default;
  // x: float32 or float64, [B, C, H, W] or [C, H, W]. Transforms write into x's storage (a
  // non-contiguous x is first replaced by a contiguous copy) or replace x with a new tensor, so x
  // must not share storage the caller still needs: the loader's batches are fresh copies.
  virtual void apply(Tensor& x, uint64_t seed) const = 0;
  virtual std::string name() const = 0;  // e.g. "RandomCrop(32, padding=4, fill=0)"
};

// Pads each side of H and W by `padding` with `fill`, then takes a height × width window whose
// top-left corner is uniform over the padded image (torchvision RandomCrop, padding_mode
// constant): top ∈ [0, H + 2·padding − height], left ∈ [0, W + 2·padding − width], drawn in that
// order for each example. Output [B, C, height, width].
struct CropSize {
  int64_t height, width;
};

class RandomCrop : public Transform {
 public:
  explicit RandomCrop(int64_t size, int64_t padding = 0, double fill = 0.0);  // a size × size window
  explicit RandomCrop(CropSize size, int64_t padding = 0, double fill = 0.0);  // RandomCrop(CropSize{28, 24})
  void apply(Tensor& x, uint64_t seed) const override;
  std::string name() const override;

 private:
  int64_t height_, width_, padding_;
  double fill_;
};

// Reverses W of each example with probability p (one uniform draw per example: flip if u < p).
class RandomHorizontalFlip : public Transform {
 public:
  explicit RandomHorizontalFlip(double p = 0.5);
  void apply(Tensor& x, uint64_t seed) const override;
  std::string name() const override;

 private:
  double p_;
};

// x[:, c] = (x[:, c] − mean[c]) / std[c], in x's dtype. One value each broadcasts to every channel;
// otherwise there must be one per channel. Deterministic: ignores the seed.
class Normalize : public Transform {
 public:
  Normalize(std::vector<double> mean, std::vector<double> std);
  void apply(Tensor& x, uint64_t seed) const override;
  std::string name() const override;

 private:
  std::vector<double> mean_, std_;
};

// Applies its transforms in order; the k-th gets derive_seed(seed, k).
class Compose : public Transform {
 public:
  explicit Compose(std::vector<std::shared_ptr<const Transform>> transforms);
  void apply(Tensor& x, uint64_t seed) const override;
  std::string name() const override;

 private:
  std::vector<std::shared_ptr<const Transform>> transforms_;
};

// The DataLoader hook for a transform: applies it to batch.x with the batch's seed.
std::function<void(Batch&, uint64_t)> batch_transform(std::shared_ptr<const Transform> t);

}  // namespace tt::data
