// Augmentation transforms (see transforms.h): argument checks, the per-example random draws (in
// example order, on the calling thread), then plain loops over raw [B, C, H, W] buffers split over
// examples with tt::parallel_for. The loops never throw; every check happens before them.
#include "data/transforms.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "core/generator.h"
#include "core/parallel.h"
#include "ops/ops.h"

namespace tt::data {
namespace {

// A chunk of work handed to one thread should be at least this many elements, so that small
// batches (and MNIST-sized images) stay on the calling thread instead of paying a wake-up.
constexpr int64_t kParallelElements = int64_t{1} << 16;

int64_t examples_per_chunk(int64_t example_numel) {
  return std::max<int64_t>(1, kParallelElements / std::max<int64_t>(example_numel, 1));
}

// Checks x and makes it contiguous; returns it as [B, C, H, W] (an image [C, H, W] as B = 1).
Tensor as_batch(Tensor& x, const std::string& who) {
  TT_CHECK(x.defined(), who, ": the input tensor is undefined");
  TT_CHECK(x.dim() == 3 || x.dim() == 4, who, ": expected x [B, C, H, W] or [C, H, W], got shape ", x.shape());
  TT_CHECK(x.dtype() == kFloat32 || x.dtype() == kFloat64, who, ": expected a float32 or float64 tensor, got ",
           x.dtype(), "; convert integer pixels with .to(kFloat32) first");
  if (!x.is_contiguous()) x = x.contiguous();
  if (x.dim() == 4) return x;
  return x.reshape(Shape{1, x.shape()[0], x.shape()[1], x.shape()[2]});
}

struct CropGeometry {
  int64_t B, C, H, W;  // input [B, C, H, W]
  int64_t OH, OW;      // output [B, C, OH, OW]
  int64_t pad;
};

// in [B, C, H, W] -> out [B, C, OH, OW]. Example b's window starts at (top[b], left[b]) of the
// input padded by g.pad on every side; window pixels that fall in the padding get `fill`.
template <typename T>
void crop_cpu(T* out, const T* in, const int64_t* top, const int64_t* left, const CropGeometry& g, T fill) {
  const int64_t per_example = g.C * g.OH * g.OW;
  parallel_for(0, g.B, examples_per_chunk(per_example), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      // Output column q reads input column left + q − pad: columns [q0, q1) are inside the image.
      const int64_t q0 = std::clamp<int64_t>(g.pad - left[b], 0, g.OW);
      const int64_t q1 = std::clamp<int64_t>(g.W + g.pad - left[b], q0, g.OW);
      for (int64_t c = 0; c < g.C; ++c) {
        const T* src = in + (b * g.C + c) * g.H * g.W;
        T* dst = out + (b * g.C + c) * g.OH * g.OW;
        for (int64_t r = 0; r < g.OH; ++r, dst += g.OW) {
          const int64_t sr = top[b] + r - g.pad;
          if (sr < 0 || sr >= g.H) {
            std::fill(dst, dst + g.OW, fill);
            continue;
          }
          std::fill(dst, dst + q0, fill);
          if (q1 > q0) std::memcpy(dst + q0, src + sr * g.W + left[b] + q0 - g.pad, (q1 - q0) * sizeof(T));
          std::fill(dst + q1, dst + g.OW, fill);
        }
      }
    }
  });
}

// x [B, C, H, W], in place: reverses every row of the examples with flip[b] != 0.
template <typename T>
void hflip_cpu(T* x, const uint8_t* flip, int64_t B, int64_t C, int64_t H, int64_t W) {
  parallel_for(0, B, examples_per_chunk(C * H * W), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      if (!flip[b]) continue;
      T* row = x + b * C * H * W;
      for (int64_t r = 0; r < C * H; ++r, row += W) std::reverse(row, row + W);
    }
  });
}

// x [B, C, H, W], in place: x[b][c] = (x[b][c] − mean[c]) / std[c], mean and std given per channel.
template <typename T>
void normalize_cpu(T* x, const std::vector<double>& mean, const std::vector<double>& stddev, int64_t B, int64_t C,
                   int64_t HW) {
  parallel_for(0, B * C, examples_per_chunk(HW), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const T m = static_cast<T>(mean[p % C]), s = static_cast<T>(stddev[p % C]);
      T* plane = x + p * HW;
      for (int64_t k = 0; k < HW; ++k) plane[k] = (plane[k] - m) / s;
    }
  });
}

std::string format_number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string format_list(const std::vector<double>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + format_number(v[i]);
  return s + "]";
}

}  // namespace

// ---- RandomCrop ----

RandomCrop::RandomCrop(int64_t size, int64_t padding, double fill) : RandomCrop(CropSize{size, size}, padding, fill) {}

RandomCrop::RandomCrop(CropSize size, int64_t padding, double fill)
    : height_(size.height), width_(size.width), padding_(padding), fill_(fill) {
  TT_CHECK(height_ > 0 && width_ > 0, "RandomCrop: size must be positive, got ", height_, "x", width_);
  TT_CHECK(padding_ >= 0, "RandomCrop: padding must be >= 0, got ", padding_);
  TT_CHECK(std::isfinite(fill_), "RandomCrop: fill must be finite, got ", fill_);
}

std::string RandomCrop::name() const {
  std::ostringstream os;
  os << "RandomCrop(" << height_;
  if (width_ != height_) os << "x" << width_;
  os << ", padding=" << padding_ << ", fill=" << fill_ << ")";
  return os.str();
}

void RandomCrop::apply(Tensor& x, uint64_t seed) const {
  const bool image = x.defined() && x.dim() == 3;
  Tensor in = as_batch(x, "RandomCrop");  // [B, C, H, W]
  const CropGeometry g{in.shape()[0], in.shape()[1], in.shape()[2], in.shape()[3], height_, width_, padding_};
  const int64_t span_h = g.H + 2 * g.pad - g.OH, span_w = g.W + 2 * g.pad - g.OW;
  TT_CHECK(span_h >= 0 && span_w >= 0, name(), ": the ", g.OH, "x", g.OW, " crop is larger than the padded input ",
           g.H + 2 * g.pad, "x", g.W + 2 * g.pad, " (input ", x.shape(), ")");
  std::vector<int64_t> top(g.B), left(g.B);
  Generator gen(seed);
  for (int64_t b = 0; b < g.B; ++b) {
    top[b] = gen.randint(0, span_h + 1);
    left[b] = gen.randint(0, span_w + 1);
  }
  Tensor out = empty(Shape{g.B, g.C, g.OH, g.OW}, in.dtype());
  if (in.dtype() == kFloat32)
    crop_cpu(out.data_ptr<float>(), in.data_ptr<float>(), top.data(), left.data(), g, static_cast<float>(fill_));
  else
    crop_cpu(out.data_ptr<double>(), in.data_ptr<double>(), top.data(), left.data(), g, fill_);
  x = image ? out.reshape(Shape{g.C, g.OH, g.OW}) : out;
}

// ---- RandomHorizontalFlip ----

RandomHorizontalFlip::RandomHorizontalFlip(double p) : p_(p) {
  TT_CHECK(p_ >= 0.0 && p_ <= 1.0, "RandomHorizontalFlip: p must be in [0, 1], got ", p_);
}

std::string RandomHorizontalFlip::name() const { return "RandomHorizontalFlip(p=" + format_number(p_) + ")"; }

void RandomHorizontalFlip::apply(Tensor& x, uint64_t seed) const {
  Tensor in = as_batch(x, "RandomHorizontalFlip");  // [B, C, H, W], shares x's storage
  const int64_t B = in.shape()[0], C = in.shape()[1], H = in.shape()[2], W = in.shape()[3];
  std::vector<uint8_t> flip(B);
  Generator gen(seed);
  for (int64_t b = 0; b < B; ++b) flip[b] = gen.uniform() < p_;
  if (in.dtype() == kFloat32)
    hflip_cpu(in.data_ptr<float>(), flip.data(), B, C, H, W);
  else
    hflip_cpu(in.data_ptr<double>(), flip.data(), B, C, H, W);
}

// ---- Normalize ----

Normalize::Normalize(std::vector<double> mean, std::vector<double> std) : mean_(std::move(mean)), std_(std::move(std)) {
  TT_CHECK(!mean_.empty() && mean_.size() == std_.size(), "Normalize: mean ", format_list(mean_), " and std ",
           format_list(std_), " must be non-empty and the same length");
  for (size_t c = 0; c < mean_.size(); ++c) {
    TT_CHECK(std::isfinite(mean_[c]), "Normalize: mean[", c, "] is ", mean_[c], "; it must be finite");
    TT_CHECK(std::isfinite(std_[c]) && std_[c] > 0, "Normalize: std[", c, "] is ", std_[c],
             "; it must be positive and finite");
  }
}

std::string Normalize::name() const {
  return "Normalize(mean=" + format_list(mean_) + ", std=" + format_list(std_) + ")";
}

void Normalize::apply(Tensor& x, uint64_t /*seed*/) const {
  Tensor in = as_batch(x, "Normalize");  // [B, C, H, W], shares x's storage
  const int64_t B = in.shape()[0], C = in.shape()[1], HW = in.shape()[2] * in.shape()[3];
  const size_t n = mean_.size();
  TT_CHECK(n == 1 || static_cast<int64_t>(n) == C, name(), ": ", n, " values for ", C, " channels (input ",
           x.shape(), "); give one per channel, or one for all");
  const std::vector<double> mean = n == 1 ? std::vector<double>(C, mean_[0]) : mean_;
  const std::vector<double> stddev = n == 1 ? std::vector<double>(C, std_[0]) : std_;
  if (in.dtype() == kFloat32)
    normalize_cpu(in.data_ptr<float>(), mean, stddev, B, C, HW);
  else
    normalize_cpu(in.data_ptr<double>(), mean, stddev, B, C, HW);
}

// ---- Compose ----

Compose::Compose(std::vector<std::shared_ptr<const Transform>> transforms) : transforms_(std::move(transforms)) {
  for (size_t k = 0; k < transforms_.size(); ++k)
    TT_CHECK(transforms_[k] != nullptr, "Compose: transform ", k, " is null");
}

std::string Compose::name() const {
  std::string s = "Compose(";
  for (size_t k = 0; k < transforms_.size(); ++k) s += (k ? ", " : "") + transforms_[k]->name();
  return s + ")";
}

void Compose::apply(Tensor& x, uint64_t seed) const {
  for (size_t k = 0; k < transforms_.size(); ++k) transforms_[k]->apply(x, derive_seed(seed, k));
}

std::function<void(Batch&, uint64_t)> batch_transform(std::shared_ptr<const Transform> t) {
  TT_CHECK(t != nullptr, "batch_transform: transform is null");
  return [t = std::move(t)](Batch& batch, uint64_t seed) { t->apply(batch.x, seed); };
}

}  // namespace tt::data
