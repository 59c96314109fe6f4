// Tests for the augmentation transforms: RandomCrop against a plain pad-then-crop reference at the
// documented offsets, RandomHorizontalFlip (reverses W; flips ~p of the examples), Normalize (the
// per-channel formula), Compose, seeded reproducibility independent of the thread count, argument
// errors, and the DataLoader hook (same batches with and without prefetch, and on resume).
// Not here: the CIFAR reader (cifar_test.cpp) and plain loader behaviour (dataloader_test.cpp).
#include "data/transforms.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/generator.h"
#include "core/parallel.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt::data {
namespace {

using ::tt::testing::bitwise_equal;

// x [B, C, H, W] with x[b][c][h][w] = its row-major index, so every value names its position.
Tensor indexed(int64_t B, int64_t C, int64_t H, int64_t W, DType dt = kFloat32) {
  return arange(0.0, static_cast<double>(B * C * H * W), 1.0, dt).reshape(Shape{B, C, H, W});
}

// Reference crop of example b: the value at (c, r, q) of the window whose top-left corner is
// (top, left) in the input padded by `pad`, or `fill` where the window covers the padding.
double reference_crop(const Tensor& in, int64_t b, int64_t c, int64_t r, int64_t q, int64_t top, int64_t left,
                      int64_t pad, double fill) {
  const int64_t h = top + r - pad, w = left + q - pad;
  if (h < 0 || h >= in.shape()[2] || w < 0 || w >= in.shape()[3]) return fill;
  return element_at(in, Shape{b, c, h, w});
}

TEST(RandomCrop, PadsThenCropsAtTheDrawnOffsetAndFillsTheBorder) {
  for (DType dt : {kFloat32, kFloat64}) {
    const int64_t B = 40, C = 2, H = 5, W = 6, pad = 2;
    const Tensor in = indexed(B, C, H, W, dt);
    Tensor x = in.clone();
    RandomCrop(CropSize{H, W}, pad, /*fill=*/-7.0).apply(x, /*seed=*/11);
    ASSERT_EQ(x.shape(), in.shape());
    Generator g(11);  // the documented draw order: per example, top then left
    int64_t shifted = 0;
    for (int64_t b = 0; b < B; ++b) {
      const int64_t top = g.randint(0, 2 * pad + 1), left = g.randint(0, 2 * pad + 1);
      shifted += top != pad || left != pad;
      for (int64_t c = 0; c < C; ++c)
        for (int64_t r = 0; r < H; ++r)
          for (int64_t q = 0; q < W; ++q)
            ASSERT_EQ(element_at(x, Shape{b, c, r, q}), reference_crop(in, b, c, r, q, top, left, pad, -7.0))
                << "example " << b << " offset (" << top << ", " << left << ") at " << c << "," << r << "," << q;
    }
    EXPECT_GT(shifted, B / 2);  // most windows are off-centre, so the border really is exercised
  }
}

TEST(RandomCrop, SmallerWindowWithoutPaddingStaysInsideTheImage) {
  const Tensor in = indexed(30, 3, 7, 9);
  Tensor x = in.clone();
  RandomCrop(CropSize{4, 3}).apply(x, 3);
  ASSERT_EQ(x.shape(), (Shape{30, 3, 4, 3}));
  Generator g(3);
  for (int64_t b = 0; b < 30; ++b) {
    const int64_t top = g.randint(0, 4), left = g.randint(0, 7);
    const Tensor window = in.select(0, b).slice(1, top, top + 4).slice(2, left, left + 3);
    EXPECT_TRUE(bitwise_equal(x.select(0, b), contiguous(window))) << "example " << b;
  }
  // An image [C, H, W] is a batch of one and keeps its rank.
  Tensor image = indexed(1, 3, 7, 9).select(0, 0);
  RandomCrop(5, 1).apply(image, 8);
  EXPECT_EQ(image.shape(), (Shape{3, 5, 5}));
}

TEST(RandomCrop, WindowsMayLieWhollyInThePadding) {
  const int64_t B = 60, pad = 5, size = 2;  // 3x3 images padded to 13x13, cut 2x2
  const Tensor in = indexed(B, 1, 3, 3);
  Tensor x = in.clone();
  RandomCrop(size, pad, 0.5).apply(x, 4);
  Generator g(4);
  int64_t all_fill = 0;
  for (int64_t b = 0; b < B; ++b) {
    const int64_t top = g.randint(0, 3 + 2 * pad - size + 1), left = g.randint(0, 3 + 2 * pad - size + 1);
    double sum = 0;
    for (int64_t r = 0; r < size; ++r)
      for (int64_t q = 0; q < size; ++q) {
        const double want = reference_crop(in, b, 0, r, q, top, left, pad, 0.5);
        ASSERT_EQ(element_at(x, Shape{b, 0, r, q}), want) << "example " << b;
        sum += want;
      }
    all_fill += sum == 4 * 0.5;
  }
  EXPECT_GT(all_fill, B / 2);
}

TEST(RandomCrop, EveryOffsetOccurs) {
  Tensor x = zeros(Shape{400, 1, 3, 3});
  x.select(2, 1).select(2, 1).fill_(1.0);  // a single marked centre pixel per example
  RandomCrop(3, 1).apply(x, 21);
  // The marked pixel moves to (1 + pad − top, 1 + pad − left): all 9 offsets should appear.
  std::vector<int> seen(9, 0);
  for (int64_t b = 0; b < 400; ++b) {
    Tensor e = x.select(0, b).reshape(Shape{9});
    ASSERT_EQ(e.sum().item<double>(), 1.0) << "with padding 1 the centre pixel never leaves a 3x3 window";
    seen[e.argmax(0).item<int64_t>()]++;
  }
  for (int k = 0; k < 9; ++k) EXPECT_GT(seen[k], 20) << "position " << k;
}

TEST(RandomHorizontalFlip, ReversesWidthOfTheChosenExamples) {
  const Tensor in = indexed(64, 2, 3, 5);
  Tensor all = in.clone(), none = in.clone(), some = in.clone();
  RandomHorizontalFlip(1.0).apply(all, 1);
  RandomHorizontalFlip(0.0).apply(none, 1);
  EXPECT_TRUE(bitwise_equal(none, in));
  for (int64_t q = 0; q < 5; ++q) EXPECT_TRUE(bitwise_equal(all.select(3, q), contiguous(in.select(3, 4 - q))));
  RandomHorizontalFlip(0.5).apply(some, 9);
  Generator g(9);
  int flipped = 0;
  for (int64_t b = 0; b < 64; ++b) {
    const bool flip = g.uniform() < 0.5;
    flipped += flip;
    EXPECT_TRUE(bitwise_equal(some.select(0, b), flip ? all.select(0, b) : in.select(0, b))) << "example " << b;
  }
  EXPECT_GT(flipped, 0);
  EXPECT_LT(flipped, 64);
}

TEST(RandomHorizontalFlip, FlipsAboutAFractionPOfTheExamples) {
  const int64_t n = 20000;
  for (double p : {0.1, 0.5, 0.8}) {
    Tensor x = zeros(Shape{n, 1, 1, 2});
    x.select(3, 0).fill_(1.0);  // [1, 0] becomes [0, 1] when flipped
    RandomHorizontalFlip(p).apply(x, 77);
    const double frac = x.select(3, 1).sum().item<double>() / n;
    // Binomial sd is at most 0.0036 here: 5 sd.
    EXPECT_NEAR(frac, p, 0.018) << "p " << p;
  }
}

TEST(Normalize, MatchesThePerChannelFormula) {
  for (DType dt : {kFloat32, kFloat64}) {
    Generator g(5);
    const Tensor in = rand(Shape{6, 3, 4, 5}, &g, dt);
    Tensor x = in.clone();
    const std::vector<double> mean = {0.5, -0.25, 2.0}, sd = {0.2, 1.5, 4.0};
    Normalize(mean, sd).apply(x, 0);
    for (int64_t c = 0; c < 3; ++c)
      EXPECT_TRUE(::tt::testing::tensors_near(x.select(1, c), (in.select(1, c) - mean[c]) / sd[c], 1e-6))
          << "channel " << c;
    Tensor y = in.clone();
    Normalize({0.5}, {0.25}).apply(y, 0);  // one value for every channel
    EXPECT_TRUE(::tt::testing::tensors_near(y, (in - 0.5) / 0.25, 1e-6));
  }
}

TEST(Compose, IsReproducibleForASeedAndVariesWithIt) {
  auto pipeline = std::make_shared<Compose>(std::vector<std::shared_ptr<const Transform>>{
      std::make_shared<RandomCrop>(8, 2), std::make_shared<RandomHorizontalFlip>(),
      std::make_shared<Normalize>(std::vector<double>{0.1, 0.2, 0.3}, std::vector<double>{1, 2, 3})});
  const Tensor in = indexed(32, 3, 8, 8);
  Tensor a = in.clone(), b = in.clone(), c = in.clone();
  pipeline->apply(a, 100);
  pipeline->apply(b, 100);
  pipeline->apply(c, 101);
  EXPECT_TRUE(bitwise_equal(a, b));
  EXPECT_FALSE(bitwise_equal(a, c));
  // The stages draw from derive_seed(seed, k).
  Tensor manual = in.clone();
  RandomCrop(8, 2).apply(manual, derive_seed(100, 0));
  RandomHorizontalFlip().apply(manual, derive_seed(100, 1));
  Normalize({0.1, 0.2, 0.3}, {1, 2, 3}).apply(manual, derive_seed(100, 2));
  EXPECT_TRUE(bitwise_equal(a, manual));
  EXPECT_EQ(pipeline->name(),
            "Compose(RandomCrop(8, padding=2, fill=0), RandomHorizontalFlip(p=0.5), "
            "Normalize(mean=[0.1, 0.2, 0.3], std=[1, 2, 3]))");
}

TEST(Compose, ResultDoesNotDependOnTheThreadCount) {
  auto pipeline = std::make_shared<Compose>(std::vector<std::shared_ptr<const Transform>>{
      std::make_shared<RandomCrop>(32, 4), std::make_shared<RandomHorizontalFlip>(),
      std::make_shared<Normalize>(std::vector<double>{0.5}, std::vector<double>{0.25})});
  Generator g(1);
  const Tensor in = rand(Shape{256, 3, 32, 32}, &g);  // big enough to be split over threads
  const int saved = get_num_threads();
  Tensor serial = in.clone(), threaded = in.clone();
  set_num_threads(1);
  pipeline->apply(serial, 42);
  set_num_threads(4);
  pipeline->apply(threaded, 42);
  set_num_threads(saved);
  EXPECT_TRUE(bitwise_equal(serial, threaded));
}

TEST(Transforms, NonContiguousInputIsCopiedNotWrittenThrough) {
  const Tensor base = indexed(4, 3, 5, 5);
  const Tensor view = base.transpose(2, 3);  // [4, 3, 5, 5], not contiguous
  Tensor x = view;
  RandomHorizontalFlip(1.0).apply(x, 0);
  EXPECT_TRUE(x.is_contiguous());
  EXPECT_TRUE(bitwise_equal(base, indexed(4, 3, 5, 5)));  // the caller's tensor is untouched
  for (int64_t q = 0; q < 5; ++q) EXPECT_TRUE(bitwise_equal(x.select(3, q), contiguous(view.select(3, 4 - q))));
}

TEST(Transforms, BadArgumentsAreClearErrors) {
  EXPECT_TT_ERROR(RandomCrop(0), "RandomCrop", "size", "0x0");
  EXPECT_TT_ERROR(RandomCrop(8, -1), "RandomCrop", "padding", "-1");
  EXPECT_TT_ERROR(RandomHorizontalFlip(1.5), "RandomHorizontalFlip", "1.5");
  EXPECT_TT_ERROR(Normalize({0.5, 0.5}, {0.2}), "Normalize", "[0.5, 0.5]", "[0.2]");
  EXPECT_TT_ERROR(Normalize({0.5}, {0.0}), "Normalize", "std[0]", "positive");
  EXPECT_TT_ERROR(Compose({nullptr}), "Compose", "0", "null");
  Tensor x = zeros(Shape{2, 3, 8, 8});
  EXPECT_TT_ERROR(RandomCrop(20, 4).apply(x, 0), "RandomCrop(20", "20x20", "16x16", "[2, 3, 8, 8]");
  EXPECT_TT_ERROR(Normalize({0, 0}, {1, 1}).apply(x, 0), "Normalize", "2 values", "3 channels");
  Tensor flat = zeros(Shape{8, 8});
  EXPECT_TT_ERROR(RandomHorizontalFlip().apply(flat, 0), "RandomHorizontalFlip", "[8, 8]");
  Tensor ints = zeros(Shape{2, 3, 8, 8}, kInt64);
  EXPECT_TT_ERROR(RandomCrop(8).apply(ints, 0), "RandomCrop", "float32");
}

// n examples x [3, 6, 6] (values name their position), y = index.
std::shared_ptr<TensorDataset> image_dataset(int64_t n) {
  return std::make_shared<TensorDataset>(indexed(n, 3, 6, 6), arange(static_cast<double>(n), kInt64));
}

DataLoaderOptions augmented(int prefetch, std::shared_ptr<const Transform> t) {
  DataLoaderOptions o;
  o.batch_size = 8, o.shuffle = true, o.seed = 3, o.prefetch = prefetch;
  o.transform = batch_transform(std::move(t));
  return o;
}

std::shared_ptr<const Transform> crop_and_flip() {
  return std::make_shared<Compose>(std::vector<std::shared_ptr<const Transform>>{
      std::make_shared<RandomCrop>(6, 2), std::make_shared<RandomHorizontalFlip>()});
}

std::vector<Batch> epoch_batches(DataLoader& dl, int64_t epoch, int64_t first = 0) {
  std::vector<Batch> out;
  dl.start_epoch(epoch, first);
  for (Batch b; dl.next(b);) out.push_back(b);
  return out;
}

TEST(DataLoaderTransform, PrefetchOnAndOffGiveTheSameAugmentedBatches) {
  auto ds = image_dataset(45);
  DataLoader sync(ds, augmented(0, crop_and_flip())), pre(ds, augmented(2, crop_and_flip()));
  for (int64_t e = 0; e < 3; ++e) {
    auto s = epoch_batches(sync, e), p = epoch_batches(pre, e);
    ASSERT_EQ(s.size(), p.size());
    for (size_t b = 0; b < s.size(); ++b) {
      EXPECT_TRUE(bitwise_equal(s[b].x, p[b].x)) << "epoch " << e << " batch " << b;
      EXPECT_TRUE(bitwise_equal(s[b].y, p[b].y));
    }
  }
}

TEST(DataLoaderTransform, SeedIsFixedByEpochAndBatchSoResumeRepeatsIt) {
  auto ds = image_dataset(40);
  DataLoader dl(ds, augmented(2, crop_and_flip()));
  auto full = epoch_batches(dl, 1), rest = epoch_batches(dl, 1, 3);
  ASSERT_EQ(rest.size(), full.size() - 3);
  for (size_t b = 0; b < rest.size(); ++b) EXPECT_TRUE(bitwise_equal(rest[b].x, full[b + 3].x)) << "batch " << b + 3;
  // Each batch is the plain gathered batch transformed with batch_seed(epoch, batch).
  DataLoaderOptions plain_opt = augmented(0, crop_and_flip());
  plain_opt.transform = nullptr;
  DataLoader plain(ds, plain_opt);
  auto raw = epoch_batches(plain, 1);
  for (size_t b = 0; b < raw.size(); ++b) {
    EXPECT_TRUE(bitwise_equal(raw[b].y, full[b].y));
    crop_and_flip()->apply(raw[b].x, dl.batch_seed(1, static_cast<int64_t>(b)));
    EXPECT_TRUE(bitwise_equal(raw[b].x, full[b].x)) << "batch " << b;
  }
  EXPECT_NE(dl.batch_seed(0, 0), dl.batch_seed(1, 0));
  EXPECT_NE(dl.batch_seed(0, 0), dl.batch_seed(0, 1));
  // Without shuffling, the same rows get a different augmentation every epoch.
  DataLoaderOptions fixed = augmented(0, crop_and_flip());
  fixed.shuffle = false;
  DataLoader ordered(ds, fixed);
  EXPECT_FALSE(bitwise_equal(epoch_batches(ordered, 0)[0].x, epoch_batches(ordered, 1)[0].x));
}

TEST(DataLoaderTransform, TransformErrorsSurfaceInNext) {
  for (int prefetch : {0, 2}) {
    DataLoader dl(image_dataset(16), augmented(prefetch, std::make_shared<Normalize>(std::vector<double>{0, 0},
                                                                                      std::vector<double>{1, 1})));
    dl.start_epoch(0);
    Batch b;
    EXPECT_TT_ERROR(dl.next(b), "Normalize", "3 channels");
    EXPECT_EQ(dl.position().batch, 0) << "prefetch " << prefetch;
  }
}

}  // namespace
}  // namespace tt::data
