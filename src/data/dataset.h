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

class TensorDataset : public Dataset {
 public:
  TensorDataset(Tensor x, Tensor y);  // same first dim
  int64_t size() const override { return x_.shape()[0]; }
  Batch get_batch(const std::vector<int64_t>& indices) const override;
  Batch example(int64_t i) const override;
  const Tensor& x() const { return x_; }
  const Tensor& y() const { return y_; }

 private:
  Tensor x_, y_;
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
// standardised with the train-set mean/std ((p/255 − μ)/σ), y int64 (N).
std::shared_ptr<TensorDataset> load_fashion_mnist(bool train, const std::string& dir = "");
std::shared_ptr<TensorDataset> load_mnist(bool train, const std::string& data_dir = "");
// Images and labels of one IDX pair, normalised as above.
std::shared_ptr<TensorDataset> load_idx_pair(const std::string& images, const std::string& labels, double mean,
                                             double stddev);

}  // namespace tt::data
