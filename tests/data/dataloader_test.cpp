// Tests for data/dataset (TensorDataset, DataLoader): batching and the last partial batch,
// drop_last, seeded shuffles (reproducible, different per epoch, each index once), prefetching
// giving the same batches as the synchronous path, resuming at a batch, and errors.
// Not here: IDX parsing and downloads (idx_test.cpp, fetch_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <numeric>
#include <vector>

#include "data/dataset.h"
#include "ops/ops.h"
#include "tensor_expect.h"

namespace tt {
namespace {

using data::Batch;
using data::DataLoader;
using data::DataLoaderOptions;
using data::TensorDataset;

// n examples: x (n, 2, 3) with x[i] = 100·i + 0..5, y (n) = i, so a batch's y names its rows.
std::shared_ptr<TensorDataset> indexed_dataset(int64_t n) {
  Tensor x = arange(0.0, static_cast<double>(6 * n), 1.0, kFloat32).reshape(Shape{n, 2, 3});
  x = x + (arange(static_cast<double>(n), kFloat32) * 94.0).reshape(Shape{n, 1, 1});  // 6i + k + 94i = 100i + k
  return std::make_shared<TensorDataset>(x, arange(static_cast<double>(n), kInt64));
}

DataLoaderOptions opts(int64_t batch, bool shuffle = false, uint64_t seed = 0, bool drop_last = false,
                       int prefetch = 2) {
  DataLoaderOptions o;
  o.batch_size = batch, o.shuffle = shuffle, o.seed = seed, o.drop_last = drop_last, o.prefetch = prefetch;
  return o;
}

// The y values of every batch of one epoch (starting at first_batch), batch by batch.
std::vector<std::vector<int64_t>> epoch_ids(DataLoader& dl, int64_t epoch, int64_t first_batch = 0) {
  std::vector<std::vector<int64_t>> out;
  dl.start_epoch(epoch, first_batch);
  Batch b;
  while (dl.next(b)) {
    EXPECT_EQ(b.x.shape()[0], b.y.shape()[0]);
    std::vector<int64_t> ids = b.y.to_vector<int64_t>();
    std::vector<double> xs = b.x.to_vector<double>();
    for (size_t r = 0; r < ids.size(); ++r)  // x rows travel with their y
      for (int k = 0; k < 6; ++k) EXPECT_EQ(xs[r * 6 + k], 100.0 * ids[r] + k) << "row " << r;
    out.push_back(ids);
  }
  return out;
}

std::vector<int64_t> flat(const std::vector<std::vector<int64_t>>& batches) {
  std::vector<int64_t> out;
  for (auto& b : batches) out.insert(out.end(), b.begin(), b.end());
  return out;
}

TEST(DataLoader, BatchesInOrderWithAPartialLastBatch) {
  DataLoader dl(indexed_dataset(10), opts(4));
  EXPECT_EQ(dl.num_batches(), 3);
  EXPECT_EQ(dl.size(), 10);
  auto batches = epoch_ids(dl, 0);
  EXPECT_EQ(batches, (std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}}));
  Batch b;
  EXPECT_FALSE(dl.next(b));  // stays finished
  dl.start_epoch(0);
  ASSERT_TRUE(dl.next(b));
  EXPECT_EQ(b.x.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(b.y.dtype(), kInt64);
}

TEST(DataLoader, DropLastDropsOnlyThePartialBatch) {
  DataLoader dl(indexed_dataset(10), opts(4, false, 0, /*drop_last=*/true));
  EXPECT_EQ(dl.num_batches(), 2);
  EXPECT_EQ(epoch_ids(dl, 0), (std::vector<std::vector<int64_t>>{{0, 1, 2, 3}, {4, 5, 6, 7}}));
  DataLoader exact(indexed_dataset(8), opts(4, false, 0, true));
  EXPECT_EQ(exact.num_batches(), 2);
  DataLoader tiny(indexed_dataset(3), opts(4, false, 0, true));
  EXPECT_EQ(tiny.num_batches(), 0);
  EXPECT_TRUE(epoch_ids(tiny, 0).empty());
}

TEST(DataLoader, ShuffleVisitsEveryIndexExactlyOncePerEpoch) {
  DataLoader dl(indexed_dataset(37), opts(5, /*shuffle=*/true, /*seed=*/9));
  for (int64_t e = 0; e < 4; ++e) {
    std::vector<int64_t> ids = flat(epoch_ids(dl, e));
    ASSERT_EQ(ids.size(), 37u);
    std::sort(ids.begin(), ids.end());
    std::vector<int64_t> want(37);
    std::iota(want.begin(), want.end(), 0);
    EXPECT_EQ(ids, want) << "epoch " << e;
  }
  DataLoader dropped(indexed_dataset(37), opts(5, true, 9, /*drop_last=*/true));
  std::vector<int64_t> ids = flat(epoch_ids(dropped, 0));
  EXPECT_EQ(ids.size(), 35u);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end()) << "an index repeated";
}

TEST(DataLoader, SeededShuffleIsReproducibleAndEpochDependent) {
  auto ds = indexed_dataset(50);
  DataLoader a(ds, opts(8, true, 1234)), b(ds, opts(8, true, 1234)), c(ds, opts(8, true, 99));
  auto a0 = flat(epoch_ids(a, 0)), a1 = flat(epoch_ids(a, 1));
  EXPECT_EQ(a0, flat(epoch_ids(b, 0)));     // same seed, same epoch
  EXPECT_EQ(a1, flat(epoch_ids(b, 1)));
  EXPECT_NE(a0, a1);                        // a new order every epoch
  EXPECT_NE(a0, flat(epoch_ids(c, 0)));     // another seed, another order
  std::vector<int64_t> identity(50);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_NE(a0, identity);
  EXPECT_EQ(a.epoch_order(1), a1);          // the order depends on (seed, epoch) only
  EXPECT_EQ(a0, flat(epoch_ids(a, 0)));     // revisiting epoch 0 after epoch 1
  DataLoader plain(ds, opts(8));
  EXPECT_EQ(plain.epoch_order(3), identity);
}

TEST(DataLoader, PrefetchOnAndOffGiveIdenticalBatches) {
  auto ds = indexed_dataset(45);
  DataLoader sync(ds, opts(4, true, 7, false, /*prefetch=*/0));
  for (int prefetch : {1, 2, 5, 64}) {
    DataLoader pre(ds, opts(4, true, 7, false, prefetch));
    for (int64_t e = 0; e < 3; ++e) {
      sync.start_epoch(e), pre.start_epoch(e);
      Batch s, p;
      while (sync.next(s)) {
        ASSERT_TRUE(pre.next(p)) << "prefetch " << prefetch;
        EXPECT_TRUE(testing::bitwise_equal(s.x, p.x));
        EXPECT_TRUE(testing::bitwise_equal(s.y, p.y));
      }
      EXPECT_FALSE(pre.next(p));
    }
  }
}

TEST(DataLoader, StartEpochAtABatchResumesTheSameStream) {
  auto ds = indexed_dataset(30);
  for (int prefetch : {0, 2}) {
    DataLoader dl(ds, opts(4, true, 5, false, prefetch));
    auto full = epoch_ids(dl, 2);
    ASSERT_EQ(full.size(), 8u);
    for (int64_t first : {0, 1, 5, 7, 8}) {
      auto rest = epoch_ids(dl, 2, first);
      EXPECT_EQ(rest, std::vector<std::vector<int64_t>>(full.begin() + first, full.end())) << "from " << first;
    }
    dl.start_epoch(2, 3);
    EXPECT_EQ(dl.position().epoch, 2);
    EXPECT_EQ(dl.position().batch, 3);
    Batch b;
    ASSERT_TRUE(dl.next(b));
    EXPECT_EQ(dl.position().batch, 4);
    EXPECT_EQ(b.y.to_vector<int64_t>(), full[3]);
  }
}

TEST(DataLoader, AbandoningAnEpochMidwayIsSafe) {
  auto ds = indexed_dataset(200);
  for (int i = 0; i < 20; ++i) {
    auto dl = std::make_unique<DataLoader>(ds, opts(3, true, i, false, 2));
    dl->start_epoch(0);
    Batch b;
    ASSERT_TRUE(dl->next(b));
    dl->start_epoch(1, 10);  // restarts the worker while it waits on a full queue
    ASSERT_TRUE(dl->next(b));
  }  // destroyed with the worker blocked: must join, not hang or crash
}

TEST(DataLoader, BadArgumentsAreClearErrors) {
  auto ds = indexed_dataset(10);
  EXPECT_TT_ERROR(DataLoader(ds, opts(0)), "DataLoader", "batch_size", "0");
  EXPECT_TT_ERROR(DataLoader(ds, opts(-3)), "DataLoader", "batch_size", "-3");
  EXPECT_TT_ERROR(DataLoader(ds, opts(4, false, 0, false, -1)), "DataLoader", "prefetch");
  EXPECT_TT_ERROR(DataLoader(nullptr, opts(4)), "DataLoader", "null");
  DataLoader dl(ds, opts(4));
  EXPECT_TT_ERROR(dl.start_epoch(0, 4), "DataLoader", "batch 4", "3 batches");
  EXPECT_TT_ERROR(dl.start_epoch(0, -1), "DataLoader", "-1");
}

TEST(TensorDataset, MismatchedFirstDimensionIsAnError) {
  EXPECT_TT_ERROR(TensorDataset(zeros(Shape{5, 2}), zeros(Shape{4})), "TensorDataset", "[5, 2]", "[4]");
  EXPECT_TT_ERROR(TensorDataset(zeros(Shape{}), zeros(Shape{})), "TensorDataset");
  auto ds = indexed_dataset(4);
  EXPECT_TT_ERROR(ds->get_batch({0, 4}), "TensorDataset", "4");
  EXPECT_TT_ERROR(ds->example(-1), "TensorDataset", "-1");
}

TEST(TensorDataset, ExampleAndBatchAgree) {
  auto ds = indexed_dataset(6);
  Batch one = ds->example(4);
  EXPECT_EQ(one.x.shape(), (Shape{2, 3}));
  EXPECT_EQ(one.y.item<int64_t>(), 4);
  Batch b = ds->get_batch({4, 1});
  EXPECT_TRUE(testing::bitwise_equal(b.x.select(0, 0), contiguous(one.x)));
  // Dataset's generic get_batch (stacking example()) gives the same as the fast row copy.
  Batch generic = ds->data::Dataset::get_batch({4, 1});
  EXPECT_TRUE(testing::bitwise_equal(generic.x, b.x));
  EXPECT_TRUE(testing::bitwise_equal(generic.y, b.y));
  // Non-contiguous inputs are made contiguous once (the row copies need it).
  TensorDataset transposed(arange(6.0, kFloat32).reshape(Shape{2, 3}).t(), zeros(Shape{3}));
  EXPECT_TRUE(transposed.x().is_contiguous());
  EXPECT_VALUES(transposed.get_batch({2, 0}).x, {2, 5, 0, 3});
}

// n examples of 2x3 uint8 codes covering 0..255 (row i = 41·i + 0..5, mod 256), labels i.
std::shared_ptr<TensorDataset> byte_coded_dataset(int64_t n, data::ByteDecode d) {
  std::vector<uint8_t> codes(static_cast<size_t>(6 * n));
  for (size_t k = 0; k < codes.size(); ++k) codes[k] = static_cast<uint8_t>((k / 6) * 41 + k % 6);
  return std::make_shared<TensorDataset>(from_vector(codes, Shape{n, 2, 3}), arange(static_cast<double>(n), kInt64), d);
}

TEST(TensorDataset, ByteCodedBatchesDecodeAsTheFormulaSays) {
  const data::ByteDecode d{static_cast<float>(1.0 / (255.0 * 0.3530)), static_cast<float>(0.2860 / 0.3530)};
  auto ds = byte_coded_dataset(9, d);
  EXPECT_EQ(ds->stored_x().dtype(), kUInt8);
  Batch b = ds->get_batch({7, 0, 3});
  ASSERT_EQ(b.x.dtype(), kFloat32);
  ASSERT_EQ(b.x.shape(), (Shape{3, 2, 3}));
  EXPECT_EQ(b.y.dtype(), kInt64);
  EXPECT_VALUES(b.y, {7, 0, 3});
  // Each value against the (p/255 − μ)/σ it stands for, within float32 rounding.
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t k = 0; k < 6; ++k) {
      const int64_t row = std::vector<int64_t>{7, 0, 3}[r];
      const double p = static_cast<double>((row * 41 + k) % 256);
      EXPECT_NEAR(element_at(b.x, Shape{r, k / 3, k % 3}), (p / 255.0 - 0.2860) / 0.3530, 1e-6) << r << "," << k;
    }
  // Batches, examples and the whole decoded x agree bit for bit.
  const Tensor& x = ds->x();
  EXPECT_EQ(x.dtype(), kFloat32);
  EXPECT_EQ(x.shape(), (Shape{9, 2, 3}));
  EXPECT_TRUE(testing::bitwise_equal(b.x.select(0, 0), contiguous(x.select(0, 7))));
  EXPECT_TRUE(testing::bitwise_equal(ds->example(3).x, contiguous(x.select(0, 3))));
  EXPECT_TRUE(testing::bitwise_equal(ds->data::Dataset::get_batch({7, 0, 3}).x, b.x));
  // A float32 dataset built from x gives the same batches: byte coding changes bytes moved, not values.
  TensorDataset plain(x, ds->y());
  EXPECT_TRUE(testing::bitwise_equal(plain.get_batch({7, 0, 3}).x, b.x));
}

TEST(TensorDataset, ByteCodedXIsDecodedOnceAndIsACopy) {
  auto ds = byte_coded_dataset(4, {2.0f, 1.0f});
  const Tensor& x1 = ds->x();
  EXPECT_EQ(x1.data_ptr<float>(), ds->x().data_ptr<float>());  // cached, not decoded per call
  Tensor handle = ds->x();
  handle.data_ptr<float>()[0] = 1000.0f;  // writes to the decoded copy do not reach the codes
  EXPECT_EQ(element_at(ds->get_batch({0}).x, Shape{0, 0, 0}), -1.0);  // code 0 → 0·2 − 1
  EXPECT_EQ(element_at(ds->example(1).x, Shape{0, 0}), 81.0);         // code 41 → 41·2 − 1
}

TEST(TensorDataset, ByteCodedNeedsUint8Codes) {
  EXPECT_TT_ERROR(TensorDataset(zeros(Shape{4, 3}), zeros(Shape{4}), data::ByteDecode{1.0f, 0.0f}), "TensorDataset",
                  "uint8", "float32");
  EXPECT_TT_ERROR(TensorDataset(zeros(Shape{4, 3}, kUInt8), zeros(Shape{5}), data::ByteDecode{}), "TensorDataset",
                  "[4, 3]", "[5]");
  auto ds = byte_coded_dataset(4, {});
  EXPECT_TT_ERROR(ds->get_batch({1, 4}), "TensorDataset", "4");
  EXPECT_TT_ERROR(ds->example(4), "TensorDataset", "4");
}

TEST(DataLoader, ByteCodedPrefetchMatchesSynchronous) {
  auto ds = byte_coded_dataset(23, {0.5f, 3.0f});
  DataLoader sync(ds, opts(5, true, 7, false, 0)), pre(ds, opts(5, true, 7, false, 2));
  sync.start_epoch(1);
  pre.start_epoch(1);
  Batch a, b;
  int batches = 0;
  while (sync.next(a)) {
    ASSERT_TRUE(pre.next(b));
    EXPECT_TRUE(testing::bitwise_equal(a.x, b.x));
    EXPECT_TRUE(testing::bitwise_equal(a.y, b.y));
    ++batches;
  }
  EXPECT_FALSE(pre.next(b));
  EXPECT_EQ(batches, 5);
}

// A dataset that fails on one index: the error reaches next() on the training thread.
class FailingDataset : public data::Dataset {
 public:
  int64_t size() const override { return 12; }
  Batch example(int64_t i) const override {
    TT_CHECK(i != 9, "FailingDataset: example ", i, " is corrupt");
    return {full(Shape{2}, static_cast<double>(i)), scalar_tensor(static_cast<double>(i), kInt64)};
  }
};

TEST(DataLoader, WorkerErrorsSurfaceInNext) {
  for (int prefetch : {0, 2}) {
    DataLoader dl(std::make_shared<FailingDataset>(), opts(4, false, 0, false, prefetch));
    dl.start_epoch(0);
    Batch b;
    ASSERT_TRUE(dl.next(b));
    ASSERT_TRUE(dl.next(b));
    EXPECT_TT_ERROR(dl.next(b), "example 9", "corrupt");
    EXPECT_EQ(dl.position().batch, 2) << "prefetch " << prefetch << ": a failed batch must not count as consumed";
  }
}

}  // namespace
}  // namespace tt
