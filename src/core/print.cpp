// PyTorch-style printing: tensor([[1.0000, 2.5000], ...], dtype=torch.float64, grad_fn=<...>),
// following torch/_tensor_str.py: floats use 4 decimals, or integers as "1.", or scientific notation
// when nonzero magnitudes span > 1e3 (widths from the nonzero finite values); rows wrap at 80
// columns; more than 1000 elements are summarised with "..." (3 per edge).
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/node.h"
#include "core/tensor.h"

namespace tt {
namespace {

constexpr int64_t kSummarizeAbove = 1000, kEdgeItems = 3;
constexpr int kLineWidth = 80;

// torch._tensor_str._Formatter: one format and one width for every element shown.
struct Formatter {
  bool floating = false, int_mode = true, sci_mode = false;
  int width = 1;

  std::string raw(double v, DType dt) const {
    char buf[64];
    if (dt == kBool) return v != 0 ? "True" : "False";
    if (!floating) {
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(v));
      return buf;
    }
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (sci_mode) std::snprintf(buf, sizeof buf, "%.4e", v);
    else if (int_mode) std::snprintf(buf, sizeof buf, "%.0f.", v);
    else std::snprintf(buf, sizeof buf, "%.4f", v);
    return buf;
  }
  std::string format(double v, DType dt) const {
    std::string s = raw(v, dt);
    return s.size() < static_cast<size_t>(width) ? std::string(width - s.size(), ' ') + s : s;
  }
};

Formatter make_formatter(const std::vector<double>& vals, DType dt) {
  Formatter f;
  f.floating = is_floating(dt);
  if (!f.floating) {
    for (double v : vals) f.width = std::max<int>(f.width, f.raw(v, dt).size());
    return f;
  }
  std::vector<double> nz;  // nonzero finite values decide the format and the width
  for (double v : vals)
    if (std::isfinite(v) && v != 0) nz.push_back(v);
  if (nz.empty()) return f;
  double amax = 0, amin = INFINITY;
  for (double v : nz) {
    amax = std::max(amax, std::fabs(v));
    amin = std::min(amin, std::fabs(v));
    if (v != std::ceil(v)) f.int_mode = false;
  }
  f.sci_mode = amax / amin > 1000. || amax > 1e8 || (!f.int_mode && amin < 1e-4);
  for (double v : nz) f.width = std::max<int>(f.width, f.raw(v, dt).size());
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

// _vector_str: elements joined by ", ", wrapped so a line fits in kLineWidth columns.
std::string vector_str(const Tensor& t, Shape& idx, int d, int indent, bool summarize, const Formatter& f) {
  const int per_line = std::max(1, (kLineWidth - indent) / (f.width + 2));
  std::vector<std::string> items;
  int64_t n = t.shape()[d];
  for (int64_t i = 0; i < n; ++i) {
    if (summarize && n > 2 * kEdgeItems && i == kEdgeItems) {
      items.push_back(" ...");
      i = n - kEdgeItems;
    }
    idx[d] = i;
    items.push_back(f.format(element_at(t, idx), t.dtype()));
  }
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) s += i % per_line == 0 ? ",\n" + std::string(indent + 1, ' ') : ", ";
    s += items[i];
  }
  return s + "]";
}

// _tensor_str_with_formatter: sub-tensors separated by dim-1 newlines, summarised with "...".
std::string tensor_str(const Tensor& t, Shape& idx, int d, int indent, bool summarize, const Formatter& f) {
  if (d == t.dim()) return f.format(element_at(t, idx), t.dtype());
  if (d + 1 == t.dim()) return vector_str(t, idx, d, indent, summarize, f);
  // Appended piecewise: `"," + std::string(...)` trips a GCC 12 -Wrestrict false positive.
  std::string sep(1, ',');
  sep.append(t.dim() - d - 1, '\n').append(indent + 1, ' ');
  std::string s = "[";
  int64_t n = t.shape()[d];
  for (int64_t i = 0; i < n; ++i) {
    if (i > 0) s += sep;
    if (summarize && n > 2 * kEdgeItems && i == kEdgeItems) {
      s.append("...").append(sep);
      i = n - kEdgeItems;
    }
    idx[d] = i;
    s += tensor_str(t, idx, d + 1, indent + 1, summarize, f);
  }
  return s + "]";
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  if (!t.defined()) return os << "tensor(undefined)";
  constexpr int kIndent = 7;  // strlen("tensor(")
  std::vector<std::string> suffixes;
  std::string body;
  if (t.numel() == 0) {
    body = "[]";
    if (t.dim() != 1) {
      std::ostringstream sz;
      sz << "size=(";
      for (int i = 0; i < t.dim(); ++i) sz << (i ? ", " : "") << t.shape()[i];
      sz << ")";
      suffixes.push_back(sz.str());
    }
    if (t.dtype() != kFloat32) suffixes.push_back("dtype=torch." + std::string(dtype_name(t.dtype())));
  } else {
    bool summarize = t.numel() > kSummarizeAbove;
    Shape idx;
    idx.resize(t.dim(), 0);
    std::vector<double> vals;
    collect(t, idx, 0, summarize, vals);
    Formatter f = make_formatter(vals, t.dtype());
    body = tensor_str(t, idx, 0, kIndent, summarize, f);
    if (t.dtype() != kFloat32 && t.dtype() != kInt64 && t.dtype() != kBool)
      suffixes.push_back("dtype=torch." + std::string(dtype_name(t.dtype())));
  }
  if (t.grad_fn()) suffixes.push_back(std::string("grad_fn=<") + t.grad_fn()->name() + ">");
  else if (t.requires_grad()) suffixes.push_back("requires_grad=True");
  // _add_suffixes: a suffix that would pass the line width goes on its own line.
  std::string s = "tensor(" + body;
  size_t nl = s.rfind('\n');
  int64_t last_line = static_cast<int64_t>(s.size()) - (nl == std::string::npos ? -1 : static_cast<int64_t>(nl)) + 1;
  for (const std::string& suf : suffixes) {
    if (last_line + static_cast<int64_t>(suf.size()) + 2 > kLineWidth) {
      s += ",\n" + std::string(kIndent, ' ') + suf;
      last_line = kIndent + suf.size();
    } else {
      s += ", " + suf;
      last_line += suf.size() + 2;
    }
  }
  return os << s << ')';
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
