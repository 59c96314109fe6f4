// item() and to_vector() read through the element type: int64 values above 2^53 are exact.
#include <gtest/gtest.h>

#include "tinytorch.h"

namespace tt {
namespace {

TEST(ElementAccess, Int64AboveTwoToThe53IsExact) {
  const int64_t big = (int64_t{1} << 60) + 1;
  Tensor t = from_vector(std::vector<int64_t>{big, -big}, Shape{2});
  EXPECT_EQ(t[0].item<int64_t>(), big);
  EXPECT_EQ(t.to_vector<int64_t>(), (std::vector<int64_t>{big, -big}));
  EXPECT_EQ(t.t().to_vector<int64_t>()[1], -big);
}

TEST(ElementAccess, ConvertsBetweenTypes) {
  Tensor b = from_vector(std::vector<bool>{true, false}, Shape{2});
  EXPECT_EQ(b.to_vector<int>(), (std::vector<int>{1, 0}));
  EXPECT_DOUBLE_EQ(tensor({2.5f}).item<double>(), 2.5);
  EXPECT_EQ(tensor({{1., 2.}, {3., 4.}}).t().to_vector<double>(), (std::vector<double>{1, 3, 2, 4}));
}

}  // namespace
}  // namespace tt
