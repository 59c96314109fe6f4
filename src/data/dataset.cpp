// Dataset, TensorDataset and DataLoader (see dataset.h).
#include "data/dataset.h"

#include <cstring>

#include "core/generator.h"
#include "core/node.h"
#include "data/fetch.h"
#include "data/idx.h"
#include "data/transforms.h"
#include "ops/ops.h"

namespace tt::data {

Batch Dataset::get_batch(const std::vector<int64_t>& indices) const {
  std::vector<Tensor> xs, ys;
  for (int64_t i : indices) {
    Batch e = example(i);
    xs.push_back(e.x);
    ys.push_back(e.y);
  }
  NoGradGuard ng;
  return {stack(xs), stack(ys)};
}

TensorDataset::TensorDataset(Tensor x, Tensor y) : x_(contiguous(x.detach())), y_(contiguous(y.detach())) {
  TT_CHECK(x_.dim() >= 1 && y_.dim() >= 1 && x_.shape()[0] == y_.shape()[0], "TensorDataset: x ", x_.shape(), " and y ",
           y_.shape(), " must have the same first dimension");
}

// Note [Byte-coded features]
// A shuffled batch gathers rows scattered over the whole data set, so nearly every byte it copies
// comes from DRAM: Fashion-MNIST as float32 is 188 MB, far past the last-level cache, and a batch
// of 64 images pulls 200 KB at one core's DRAM bandwidth (≈ 12 GB/s here, 17 us a batch — as long
// as a tenth of the MLP's whole training step). Kept as its 8-bit pixels (47 MB) a batch pulls
// 50 KB, and the standardisation (p/255 − μ)/σ = p·scale − shift costs one multiply-subtract per
// pixel on data already in L1. Every path (batches, examples, x()) decodes with decode_bytes, so
// they agree bit for bit with each other and with a float32 copy made by the same formula.

void decode_bytes(const uint8_t* codes, float* out, int64_t n, ByteDecode d) {
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(codes[i]) * d.scale - d.shift;
}

namespace {
// A new float32 tensor of codes' shape holding the decoded codes (contiguous uint8).
Tensor decode_tensor(const Tensor& codes, ByteDecode d) {
  Tensor out = empty(codes.shape(), kFloat32);
  decode_bytes(codes.data_ptr<uint8_t>(), out.data_ptr<float>(), codes.numel(), d);
  return out;
}
}  // namespace

TensorDataset::TensorDataset(Tensor codes, Tensor y, ByteDecode decode) : TensorDataset(std::move(codes), std::move(y)) {
  TT_CHECK(x_.dtype() == kUInt8, "TensorDataset: byte-coded features must be uint8, got ", dtype_name(x_.dtype()));
  decode_ = decode;
  decoded_ = std::make_shared<Decoded>();
}

const Tensor& TensorDataset::x() const {
  if (!decode_) return x_;
  std::call_once(decoded_->once, [&] { decoded_->x = decode_tensor(x_, *decode_); });
  return decoded_->x;
}

Batch TensorDataset::example(int64_t i) const {
  TT_CHECK(i >= 0 && i < size(), "TensorDataset: index ", i, " out of range for ", size(), " examples");
  return {decode_ ? decode_tensor(x_.select(0, i), *decode_) : x_.select(0, i), y_.select(0, i)};
}

namespace {
// Calls visit(k, row) for each k with row = the bytes of stored row indices[k] (row_bytes each).
// Shuffled rows are scattered over the whole data set, so each row starts with DRAM misses;
// requesting row k + ahead (every line it touches) before visiting row k overlaps those misses
// with the copies. A short row needs more rows in flight to keep as many lines outstanding.
template <typename Visit>
void visit_rows(const char* src, size_t row_bytes, const std::vector<int64_t>& indices, size_t ahead, Visit&& visit) {
  constexpr uintptr_t kLine = 64;
  for (size_t k = 0; k < indices.size(); ++k) {
    if (k + ahead < indices.size()) {
      const uintptr_t next = reinterpret_cast<uintptr_t>(src + indices[k + ahead] * row_bytes);
      for (uintptr_t line = next & ~(kLine - 1); line < next + row_bytes; line += kLine)
        __builtin_prefetch(reinterpret_cast<const void*>(line));
    }
    visit(k, src + indices[k] * row_bytes);
  }
}

// Copies rows `indices` of contiguous t into a new (B, ...) tensor.
Tensor gather_rows(const Tensor& t, const std::vector<int64_t>& indices) {
  Shape s = t.shape();
  s[0] = static_cast<int64_t>(indices.size());
  Tensor out = empty(s, t.dtype());
  const size_t row = t.nbytes() / std::max<int64_t>(t.shape()[0], 1);
  char* dst = static_cast<char*>(out.raw_data());
  visit_rows(static_cast<const char*>(t.raw_data()), row, indices, 2,
             [&](size_t k, const char* r) { std::memcpy(dst + k * row, r, row); });
  return out;
}

// Rows `indices` of the contiguous uint8 codes, decoded into a new float32 (B, ...) tensor.
Tensor gather_decoded_rows(const Tensor& codes, const std::vector<int64_t>& indices, ByteDecode d) {
  Shape s = codes.shape();
  s[0] = static_cast<int64_t>(indices.size());
  Tensor out = empty(s, kFloat32);
  const size_t row = codes.nbytes() / std::max<int64_t>(codes.shape()[0], 1);  // bytes = codes
  float* dst = out.data_ptr<float>();
  visit_rows(static_cast<const char*>(codes.raw_data()), row, indices, 4, [&](size_t k, const char* r) {
    decode_bytes(reinterpret_cast<const uint8_t*>(r), dst + k * row, static_cast<int64_t>(row), d);
  });
  return out;
}
}  // namespace

Batch TensorDataset::get_batch(const std::vector<int64_t>& indices) const {
  // Labels are a few bytes each, one cache miss apiece: request them all now, to arrive while x is copied.
  const char* labels = static_cast<const char*>(y_.raw_data());
  const size_t label_bytes = y_.nbytes() / std::max<int64_t>(size(), 1);
  for (int64_t i : indices) {
    TT_CHECK(i >= 0 && i < size(), "TensorDataset: index ", i, " out of range for ", size());
    __builtin_prefetch(labels + i * label_bytes);
  }
  Tensor x = decode_ ? gather_decoded_rows(x_, indices, *decode_) : gather_rows(x_, indices);
  return {x, gather_rows(y_, indices)};
}

DataLoader::DataLoader(std::shared_ptr<const Dataset> ds, DataLoaderOptions opt) : ds_(std::move(ds)), opt_(opt) {
  TT_CHECK(ds_ != nullptr, "DataLoader: dataset is null");
  TT_CHECK(opt_.batch_size > 0, "DataLoader: batch_size must be positive, got ", opt_.batch_size);
  TT_CHECK(opt_.prefetch >= 0, "DataLoader: prefetch must be >= 0, got ", opt_.prefetch);
}

DataLoader::~DataLoader() { stop_worker(); }

int64_t DataLoader::num_batches() const {
  int64_t n = ds_->size();
  return opt_.drop_last ? n / opt_.batch_size : (n + opt_.batch_size - 1) / opt_.batch_size;
}

std::vector<int64_t> DataLoader::epoch_order(int64_t epoch) const {
  std::vector<int64_t> order(ds_->size());
  for (int64_t i = 0; i < ds_->size(); ++i) order[i] = i;
  if (opt_.shuffle) {
    Generator g(opt_.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(epoch));
    for (int64_t i = ds_->size() - 1; i > 0; --i) std::swap(order[i], order[g.randint(0, i + 1)]);
  }
  return order;
}

uint64_t DataLoader::batch_seed(int64_t epoch, int64_t batch) const {
  // Salted so the augmentation stream is unrelated to the shuffle stream of the same seed.
  constexpr uint64_t kAugmentSalt = 0xA5C3'6E1F'0B7D'9241ULL;
  return derive_seed(derive_seed(opt_.seed ^ kAugmentSalt, static_cast<uint64_t>(epoch)), static_cast<uint64_t>(batch));
}

Batch DataLoader::make_batch(int64_t b) const {
  int64_t start = b * opt_.batch_size, end = std::min<int64_t>(start + opt_.batch_size, ds_->size());
  Batch batch = ds_->get_batch(std::vector<int64_t>(order_.begin() + start, order_.begin() + end));
  if (opt_.transform) opt_.transform(batch, batch_seed(epoch_, b));
  return batch;
}

void DataLoader::start_epoch(int64_t epoch, int64_t first_batch) {
  stop_worker();
  TT_CHECK(first_batch >= 0 && first_batch <= num_batches(), "DataLoader: batch ", first_batch,
           " out of range (epoch has ", num_batches(), " batches)");
  epoch_ = epoch;
  batch_ = first_batch;
  order_ = epoch_order(epoch);
  if (opt_.prefetch > 0 && batch_ < num_batches()) {
    stop_ = false;
    worker_error_ = false;
    worker_ = std::thread([this, from = batch_, to = num_batches()] { worker_loop(from, to); });
  }
}

void DataLoader::worker_loop(int64_t from, int64_t to) {
  for (int64_t b = from; b < to; ++b) {
    Batch batch;
    try {
      batch = make_batch(b);
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lk(mu_);
      worker_error_ = true;
      error_ = e.what();
      cv_.notify_all();
      return;
    }
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return stop_ || static_cast<int>(queue_.size()) < opt_.prefetch; });
    if (stop_) return;
    queue_.push_back(std::move(batch));
    cv_.notify_all();
  }
}

void DataLoader::stop_worker() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  queue_.clear();
}

bool DataLoader::next(Batch& out) {
  if (batch_ >= num_batches()) return false;
  if (opt_.prefetch == 0) {
    out = make_batch(batch_);  // advance only on success, as the prefetch path does
    ++batch_;
    return true;
  }
  std::unique_lock<std::mutex> lk(mu_);
  cv_.wait(lk, [&] { return !queue_.empty() || worker_error_; });
  if (queue_.empty()) TT_CHECK(false, "DataLoader: loading batch ", batch_, " failed: ", error_);
  out = std::move(queue_.front());
  queue_.pop_front();
  ++batch_;
  cv_.notify_all();
  return true;
}

std::shared_ptr<TensorDataset> load_idx_pair(const std::string& images, const std::string& labels, double mean,
                                             double stddev) {
  IdxArray xi = read_idx(images), yi = read_idx(labels);
  TT_CHECK(xi.type_code == kIdxU8 && xi.dims.size() == 3, "idx: ", images, ": expected u8 images (N, H, W)");
  TT_CHECK(yi.type_code == kIdxU8 && yi.dims.size() == 1 && yi.dims[0] == xi.dims[0], "idx: ", labels,
           ": expected ", xi.dims[0], " u8 labels to match ", images);
  const int64_t n = xi.dims[0], h = xi.dims[1], w = xi.dims[2];
  Tensor codes = empty(Shape{n, 1, h, w}, kUInt8), y = empty(Shape{n}, kInt64);
  std::memcpy(codes.data_ptr<uint8_t>(), xi.bytes.data(), xi.bytes.size());
  int64_t* yp = y.data_ptr<int64_t>();
  for (int64_t i = 0; i < n; ++i) yp[i] = yi.bytes[i];
  // (p/255 − μ)/σ = p·scale − shift
  const ByteDecode d{static_cast<float>(1.0 / (255.0 * stddev)), static_cast<float>(mean / stddev)};
  return std::make_shared<TensorDataset>(codes, y, d);
}

std::shared_ptr<TensorDataset> load_fashion_mnist(bool train, const std::string& dir) {
  std::string d = dir.empty() ? "/usr/share/datasets/fashion-mnist" : dir;
  std::string split = train ? "train" : "t10k";
  return load_idx_pair(d + "/" + split + "-images-idx3-ubyte.gz", d + "/" + split + "-labels-idx1-ubyte.gz", 0.2860,
                       0.3530);
}

std::shared_ptr<TensorDataset> load_mnist(bool train, const std::string& data_dir) {
  std::string d = (data_dir.empty() ? default_data_dir() : data_dir) + "/mnist/";
  std::string split = train ? "train" : "test";
  return load_idx_pair(d + split + "-images.idx", d + split + "-labels.idx", 0.1307, 0.3081);
}

}  // namespace tt::data
