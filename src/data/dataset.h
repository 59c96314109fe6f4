// Datasets and the DataLoader. A Dataset returns examples by index; TensorDataset wraps (X, Y)
// tensors and gathers whole batches with one row copy each. The DataLoader batches, shuffles with a
// seed (the permutation of epoch e depends only on (seed, e), so a run can resume mid-epoch),
// drops the last partial batch on request, and prefetches the next batches on a background
// thread while the model trains on the current one. An optional transform (augmentation, see
// data/transforms.h) is applied to each batch with a seed fixed by (seed, epoch, batch index).
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/tensor.h"

namespace tt::data {

struct Batch {
  Tensor x, y;  // x (B, ...), y (B, ...)
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  // Stacks examples `indices` into one batch. The default calls example() per index.
  virtual Batch get_batch(const std::vector<int64_t>& indices) const;
  virtual Batch example(int64_t i) const = 0;  // x, y without the batch dim
};

// Byte-coded features: uint8 codes decoded to float32 as code·scale − shift (Note [Byte-coded
// features] in dataset.cpp). Images keep their 8-bit pixels and are normalised as batches are
// gathered, so a shuffled batch reads a quarter of the bytes a float32 copy would.
struct ByteDecode {
  float scale = 1.0f, shift = 0.0f;
};

// Decodes n codes: out[i] = float(codes[i])·scale − shift (the one formula every path uses).
void decode_bytes(const uint8_t* codes, float* out, int64_t n, ByteDecode d);

class TensorDataset : public Dataset {
 public:
  TensorDataset(Tensor x, Tensor y);  // same first dim
  // x stored as uint8 `codes`; examples, batches and x() carry float32 code·scale − shift.
  TensorDataset(Tensor codes, Tensor y, ByteDecode decode);
  int64_t size() const override { return x_.shape()[0]; }
  Batch get_batch(const std::vector<int64_t>& indices) const override;
  Batch example(int64_t i) const override;
  // The features. Byte-coded: float32, decoded on the first call and cached — a copy, so writing
  // to it does not change the batches (those are decoded from the codes).
  const Tensor& x() const;
  const Tensor& y() const { return y_; }
  const Tensor& stored_x() const { return x_; }  // x itself, or the uint8 codes
  std::optional<ByteDecode> byte_decode() const { return decode_; }

 private:
  Tensor x_, y_;
  std::optional<ByteDecode> decode_;
  struct Decoded {
    std::once_flag once;
    Tensor x;
  };
  std::shared_ptr<Decoded> decoded_;  // byte-coded only: x() once decoded
};

struct DataLoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = false;
  uint64_t seed = 0;
  bool drop_last = false;
  int prefetch = 2;  // batches prepared ahead on a background thread; 0 = none
  // Applied to every batch after it is gathered (on the prefetch thread when prefetching), with
  // seed = DataLoader::batch_seed(epoch, batch), e.g. batch_transform(...) from data/transforms.h.
  // Empty: batches are returned as gathered. Its errors surface in next() like loading errors.
  std::function<void(Batch&, uint64_t seed)> transform = {};
};

// Position in the data stream, for checkpoints.
struct LoaderPosition {
  int64_t epoch = 0, batch = 0;
};

class DataLoader {
 public:
  DataLoader(std::shared_ptr<const Dataset> ds, DataLoaderOptions opt);
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  int64_t num_batches() const;
  int64_t size() const { return ds_->size(); }
  const DataLoaderOptions& options() const { return opt_; }
  // Starts epoch `epoch` at batch `first_batch` (resume); next() then yields its batches in order.
  void start_epoch(int64_t epoch, int64_t first_batch = 0);
  bool next(Batch& out);  // false at the end of the epoch
  LoaderPosition position() const { return {epoch_, batch_}; }
  // The sample order of an epoch (identity when not shuffling).
  std::vector<int64_t> epoch_order(int64_t epoch) const;
  // The seed the transform gets for batch `batch` of epoch `epoch`: a function of (options().seed,
  // epoch, batch) only, so prefetching and resuming see the same augmentation (transforms.h,
  // Note [Augmentation seeds]).
  uint64_t batch_seed(int64_t epoch, int64_t batch) const;

 private:
  Batch make_batch(int64_t b) const;
  void stop_worker();
  void worker_loop(int64_t from, int64_t to);

  std::shared_ptr<const Dataset> ds_;
  DataLoaderOptions opt_;
  std::vector<int64_t> order_;
  int64_t epoch_ = 0, batch_ = 0;
  // prefetch
  std::thread worker_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool stop_ = false, worker_error_ = false;
  std::string error_;
};

// Fashion-MNIST / MNIST-10k as TensorDatasets: x float32 (N, 1, 28, 28) scaled to [0, 1] then
// standardised with the train-set mean/std ((p/255 − μ)/σ), y int64 (N). Stored byte-coded: the
// pixels stay uint8 and are standardised as batches are gathered.
std::shared_ptr<TensorDataset> load_fashion_mnist(bool train, const std::string& dir = "");
std::shared_ptr<TensorDataset> load_mnist(bool train, const std::string& data_dir = "");
// Images and labels of one IDX pair, normalised as above.
std::shared_ptr<TensorDataset> load_idx_pair(const std::string& images, const std::string& labels, double mean,
                                             double stddev);

}  // namespace tt::data
