// The tiled transpose path of the copy kernel (Note [Tiled transpose copy]) against element reads,
// on ragged sizes (not multiples of the tile), batched, and with dtype conversion; clone_like's
// layouts.
#include <gtest/gtest.h>

#include "tensor_expect.h"
#include "tinytorch.h"

namespace tt {
namespace {

void expect_same_elements(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>();
  for (size_t i = 0; i < va.size(); ++i) ASSERT_EQ(va[i], vb[i]) << "element " << i;
}

TEST(CopyKernel, TransposedContiguousMatchesElementwiseOnRaggedShapes) {
  Generator g(1);
  for (auto [r, c] : {std::pair<int64_t, int64_t>{1, 1}, {7, 9}, {8, 8}, {13, 64}, {65, 31}, {1024, 3}}) {
    Tensor a = randn(Shape{r, c}, &g);
    Tensor t = a.t().contiguous();
    ASSERT_TRUE(t.is_contiguous());
    for (int64_t i = 0; i < c; ++i)
      for (int64_t j = 0; j < r; ++j) ASSERT_EQ(element_at(t, Shape{i, j}), element_at(a, Shape{j, i}));
  }
}

TEST(CopyKernel, BatchedPermuteAndCastMatch) {
  Generator g(2);
  Tensor a = randn(Shape{3, 17, 10}, &g, kFloat64);
  Tensor p = a.permute(Shape{0, 2, 1});
  expect_same_elements(p.contiguous(), p);
  expect_same_elements(p.to(kFloat32).to(kFloat64), p.to(kFloat32));
  Tensor q = a.permute(Shape{2, 1, 0});
  expect_same_elements(q.contiguous(), q);
}

// clone_like copies into the layout's memory order: a dense transposed one is kept, anything else
// gives contiguous; gradients pass through; a shape mismatch is an error naming both shapes.
TEST(CloneLike, TakesTheMemoryOrderOfADenseLayout) {
  Tensor like = zeros(Shape{5, 3}).t();  // (3, 5), strides {1, 3}
  Tensor x = randn(Shape{3, 5}).requires_grad_();
  Tensor c = clone_like(x, like);
  EXPECT_EQ(c.strides(), like.strides());
  expect_same_elements(c, x);
  EXPECT_FALSE(c.storage() == x.storage());
  EXPECT_TRUE(has_layout_of(c, like) && !has_layout_of(x, like));
  EXPECT_TRUE(clone_like(x, zeros(Shape{3, 10}).slice(1, 0, 10, 2)).is_contiguous());  // not dense
  sum(c).backward();
  expect_same_elements(x.grad(), ones(Shape{3, 5}));
  EXPECT_TT_ERROR(clone_like(x, like.t()), "clone_like", "[3, 5]", "[5, 3]");
}

}  // namespace
}  // namespace tt
