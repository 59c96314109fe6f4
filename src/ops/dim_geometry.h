// A contiguous tensor seen as (outer, n, inner) around one dim: the shape every "along a dim" kernel
// (softmax rows, index_select/index_add slices) walks. Private to src/ops.
#pragma once
#include <cstdint>

#include "core/shape.h"

namespace tt::ops {

struct DimGeometry {
  int64_t outer = 1, n = 1, inner = 1;  // product of dims before d, size of d, product after d
};

inline DimGeometry dim_geometry(const Shape& s, int d) {
  DimGeometry g;
  for (int i = 0; i < static_cast<int>(s.size()); ++i) {
    if (i < d) g.outer *= s[i];
    else if (i == d) g.n = s[i];
    else g.inner *= s[i];
  }
  return g;
}

}  // namespace tt::ops
