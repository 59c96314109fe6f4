// PyTorch-style printing: tensor([[1.0000, 2.5000], ...], dtype=..., grad_fn=<...>).
// Floats use 4 decimals, or integers as "1.", or scientific notation when magnitudes span > 1e3
// (as torch._tensor_str does); more than 1000 elements are summarised with "..." (3 per edge).
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/node.h"
#include "core/tensor.h"

namespace tt {
namespace {

constexpr int64_t kSummarizeAbove = 1000, kEdgeItems = 3;

struct Format {
  enum Kind { kInt, kFloatInt, kFixed, kSci } kind = kFixed;
  int width = 1;
};

std::string format_value(double v, DType dt, const Format& f) {
  char buf[64];
  if (dt == kBool) return v != 0 ? "True" : "False";
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  switch (f.kind) {
    case Format::kInt: std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v)); break;
    case Format::kFloatInt: std::snprintf(buf, sizeof buf, "%.0f.", v); break;
    case Format::kFixed: std::snprintf(buf, sizeof buf, "%.4f", v); break;
    case Format::kSci: std::snprintf(buf, sizeof buf, "%.4e", v); break;
  }
  return buf;
}

Format choose_format(const std::vector<double>& vals, DType dt) {
  Format f;
  if (!is_floating(dt)) {
    f.kind = Format::kInt;
  } else {
    bool all_int = true;
    double amax = 0, amin = INFINITY;
    for (double v : vals) {
      if (!std::isfinite(v)) continue;
      if (v != std::floor(v)) all_int = false;
      double a = std::fabs(v);
      amax = std::max(amax, a);
      if (a > 0) amin = std::min(amin, a);
    }
    if (all_int) f.kind = amax >= 1e8 ? Format::kSci : Format::kFloatInt;
    else if (amax / amin > 1000 || amax > 1e8 || amin < 1e-4) f.kind = Format::kSci;
  }
  for (double v : vals) f.width = std::max<int>(f.width, format_value(v, dt, f).size());
  return f;
}

// Values that will be shown (summarised tensors skip the middle of long dims).
void collect(const Tensor& t, Shape& idx, int d, bool summarize, std::vector<double>& out) {
  if (d == t.dim()) {
    out.push_back(element_at(t, idx));
    return;
  }
  int64_t n = t.shape()[d];
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * kEdgeItems && i == kEdgeItems) i = n - kEdgeItems;
    idx[d] = i;
    collect(t, idx, d + 1, summarize, out);
  }
}

void render(std::ostream& os, const Tensor& t, Shape& idx, int d, bool summarize, const Format& f, int indent) {
  if (d == t.dim()) {
    std::string s = format_value(element_at(t, idx), t.dtype(), f);
    os << std::string(f.width - s.size(), ' ') << s;
    return;
  }
  int64_t n = t.shape()[d];
  os << '[';
  for (int64_t i = 0; i < n; ++i) {
    if (i > 0) {
      os << ',';
      if (d + 1 == t.dim()) os << ' ';
      else os << std::string(t.dim() - d - 1, '\n') << std::string(indent + d + 1, ' ');
    }
    if (summarize && n > 2 * kEdgeItems && i == kEdgeItems) {
      os << "...";
      os << (d + 1 == t.dim() ? ", " : ",\n" + std::string(indent + d + 1, ' '));
      i = n - kEdgeItems;
    }
    idx[d] = i;
    render(os, t, idx, d + 1, summarize, f, indent);
  }
  os << ']';
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  bool summarize = t.numel() > kSummarizeAbove;
  Shape idx;
  idx.resize(t.dim(), 0);
  std::vector<double> vals;
  collect(t, idx, 0, summarize, vals);
  Format f = choose_format(vals, t.dtype());
  os << "tensor(";
  if (t.numel() == 0 && t.dim() > 0) os << "[]";
  else render(os, t, idx, 0, summarize, f, 7);
  if (t.numel() == 0 && t.dim() > 1) os << ", size=" << t.shape();
  if (t.dtype() != kFloat32 && t.dtype() != kInt64 && t.dtype() != kBool) os << ", dtype=" << t.dtype();
  if (t.grad_fn()) os << ", grad_fn=<" << t.grad_fn()->name() << ">";
  else if (t.requires_grad()) os << ", requires_grad=True";
  return os << ')';
}

std::string to_string(const Tensor& t) {
  std::ostringstream os;
  os << t;
  return os.str();
}

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::UInt8: return "uint8";
    case DType::Int8: return "int8";
    case DType::Int32: return "int32";
    case DType::Int64: return "int64";
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
  }
  return "unknown";
}

}  // namespace tt
