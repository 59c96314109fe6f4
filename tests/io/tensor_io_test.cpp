// Tests for io/tensor_io (Tensor ⇄ safetensors): bit-exact round trips for every dtype, views
// (transposed, strided, broadcast), 0-d and size-0 tensors, metadata; the file written by the
// independent Python writer; and clear errors for dtypes TinyTorch lacks (F16, BF16, I16) and bad bytes.
// Byte-level format validation is tested in safetensors_test.cpp.
#include "io/tensor_io.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "ops/ops.h"
#include "tensor_expect.h"
#include "temp_dir.h"

#ifndef TT_TEST_DATA_DIR
#error "TT_TEST_DATA_DIR must name the tests/ folder (the CMake build defines it)"
#endif

namespace tt {
namespace {

namespace fs = std::filesystem;

class TensorIo : public ::tt::testing::TempDirTest {
 protected:
};

// Same dtype, shape and raw bytes (so NaN payloads and −0.0 count).
::testing::AssertionResult same_bytes(const Tensor& got, const Tensor& want) {
  if (got.dtype() != want.dtype())
    return ::testing::AssertionFailure() << "dtype " << got.dtype() << " vs " << want.dtype();
  if (got.shape() != want.shape())
    return ::testing::AssertionFailure() << "shape " << got.shape() << " vs " << want.shape();
  Tensor a = contiguous(got), b = contiguous(want);
  if (a.nbytes() && std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) != 0)
    return ::testing::AssertionFailure() << "bytes differ: " << to_string(a) << " vs " << to_string(b);
  return ::testing::AssertionSuccess();
}

const Tensor& get(const io::LoadedTensors& lt, const std::string& name) {
  const Tensor* t = nn::find_in(lt.tensors, name);
  if (!t) throw std::runtime_error("no tensor " + name);
  return *t;
}

TEST_F(TensorIo, EveryDtypeRoundTripsBitExactly) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const nn::StateDict tensors{
      {"f64", from_vector<double>({-0.0, 1e-310, inf, -inf, nan, 1.0 / 3, -1e300}, Shape{7})},
      {"f32", from_vector<float>({-0.0f, 1e-40f, 3.4e38f, -1.5f, static_cast<float>(nan), 0.1f}, Shape{2, 3})},
      {"i64", from_vector<int64_t>({std::numeric_limits<int64_t>::min(), -1, 0, std::numeric_limits<int64_t>::max()},
                                   Shape{2, 2})},
      {"i32", from_vector<int32_t>({std::numeric_limits<int32_t>::min(), 7, std::numeric_limits<int32_t>::max()},
                                   Shape{3})},
      {"i8", from_vector<int8_t>({-128, -1, 0, 127}, Shape{4})},
      {"u8", from_vector<uint8_t>({0, 1, 128, 255}, Shape{2, 1, 2})},
      {"bool", arange(5.0) > 1.0},
  };
  ASSERT_EQ(tensors.back().second.dtype(), kBool);
  io::save_safetensors(path("all.safetensors"), tensors, {{"epoch", "3"}, {"note", "ünïcode"}});
  io::LoadedTensors lt = io::load_safetensors(path("all.safetensors"));
  ASSERT_EQ(lt.tensors.size(), tensors.size());
  for (const auto& [name, t] : tensors) {
    EXPECT_TRUE(same_bytes(get(lt, name), t)) << name;
    EXPECT_TRUE(get(lt, name).is_contiguous()) << name;
    EXPECT_FALSE(get(lt, name).requires_grad()) << name;
  }
  EXPECT_EQ(lt.metadata, (std::map<std::string, std::string>{{"epoch", "3"}, {"note", "ünïcode"}}));
  EXPECT_EQ(io::safetensors_dtype(kBool), "BOOL");
  EXPECT_EQ(io::dtype_from_safetensors("I8", "x"), kInt8);
}

TEST_F(TensorIo, ViewsAreSavedAsTheirLogicalValues) {
  Tensor base = arange(0.0, 24.0, 1.0, kFloat32).reshape(Shape{4, 6});
  const nn::StateDict tensors{
      {"transposed", base.t()},                            // (6, 4), strides (1, 6)
      {"strided", base.slice(1, 1, 6, 2)},                 // every other column
      {"offset_row", base.select(0, 2)},                   // non-zero storage offset
      {"broadcast", scalar_tensor(2.5).expand(Shape{3, 2})},  // stride 0
  };
  ASSERT_FALSE(base.t().is_contiguous());
  io::save_safetensors(path("views.safetensors"), tensors);
  io::LoadedTensors lt = io::load_safetensors(path("views.safetensors"));
  for (const auto& [name, t] : tensors) EXPECT_TRUE(same_bytes(get(lt, name), t)) << name;
  EXPECT_VALUES(get(lt, "strided"), {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23});
  EXPECT_VALUES(get(lt, "offset_row"), {12, 13, 14, 15, 16, 17});
  // The data buffer holds the logical elements only, not the storage behind the views.
  EXPECT_EQ(io::read_safetensors(path("views.safetensors")).data.size(), (24u + 12 + 6 + 6) * 4);
}

TEST_F(TensorIo, ZeroDimAndEmptyTensors) {
  const nn::StateDict tensors{
      {"scalar", scalar_tensor(-3.25, kFloat64)},
      {"step", scalar_tensor(42, kInt64)},
      {"empty", zeros(Shape{0, 3})},
      {"empty_mid", zeros(Shape{2, 0, 4}, kInt32)},
      {"empty_1d", zeros(Shape{0}, kBool)},
  };
  io::save_safetensors(path("edge.safetensors"), tensors);
  io::LoadedTensors lt = io::load_safetensors(path("edge.safetensors"));
  for (const auto& [name, t] : tensors) EXPECT_TRUE(same_bytes(get(lt, name), t)) << name;
  EXPECT_EQ(get(lt, "scalar").dim(), 0);
  EXPECT_EQ(get(lt, "scalar").item<double>(), -3.25);
  EXPECT_EQ(get(lt, "empty_mid").shape(), (Shape{2, 0, 4}));
}

TEST_F(TensorIo, ModelStateDictRoundTripsWithParameters) {
  Tensor w = randn(Shape{3, 2}).requires_grad_();  // a parameter: saved without its graph
  io::save_safetensors(path("p.safetensors"), {{"layer.weight", w}});
  io::LoadedTensors lt = io::load_safetensors(path("p.safetensors"));
  EXPECT_TRUE(same_bytes(get(lt, "layer.weight"), w.detach()));
  EXPECT_FALSE(get(lt, "layer.weight").storage() == w.storage());
}

TEST_F(TensorIo, EmptyFileListAndOverwrite) {
  io::save_safetensors(path("x.safetensors"), {});
  EXPECT_TRUE(io::load_safetensors(path("x.safetensors")).tensors.empty());
  io::save_safetensors(path("x.safetensors"), {{"a", ones(Shape{2})}});  // replaces atomically
  EXPECT_EQ(io::load_safetensors(path("x.safetensors")).tensors.size(), 1u);
}

// tests/io/make_safetensors_fixture.py wrote this file by hand (keep the values in sync with it).
TEST(TensorIoFixture, LoadsTheFileWrittenByPython) {
  io::LoadedTensors lt = io::load_safetensors(TT_TEST_DATA_DIR "/io/fixtures/python_written.safetensors");
  EXPECT_EQ(lt.metadata,
            (std::map<std::string, std::string>{{"format", "pt"}, {"producer", "make_safetensors_fixture.py"}}));
  ASSERT_EQ(lt.tensors.size(), 7u);
  const Tensor& weight = get(lt, "weight");
  EXPECT_EQ(weight.dtype(), kFloat32);
  EXPECT_EQ(weight.shape(), (Shape{2, 3}));
  EXPECT_VALUES(weight, {-1, -0.5, 0, 0.5, 1, 1.5});
  const Tensor& scale = get(lt, "scale");
  EXPECT_EQ(scale.dtype(), kFloat64);
  EXPECT_EQ(scale.to_vector<double>(), (std::vector<double>{0.0, 1.0 / 3, 2.0 / 3, 1.0}));
  EXPECT_EQ(get(lt, "ids").dtype(), kInt64);
  EXPECT_EQ(get(lt, "ids").to_vector<int64_t>(), (std::vector<int64_t>{-2, 0, (int64_t{1} << 40) + 7}));
  const Tensor& step = get(lt, "step");
  EXPECT_EQ(step.dim(), 0);
  EXPECT_EQ(step.item<int64_t>(), -1234567890123);
  const Tensor& pixels = get(lt, "pixels");
  EXPECT_EQ(pixels.dtype(), kUInt8);
  EXPECT_EQ(pixels.shape(), (Shape{2, 2, 2}));
  EXPECT_VALUES(pixels, {0, 30, 60, 90, 120, 150, 180, 210});
  const Tensor& mask = get(lt, "mask");
  EXPECT_EQ(mask.dtype(), kBool);
  EXPECT_VALUES(mask, {1, 0, 1, 0, 1});
  const Tensor& empty = get(lt, "empty");
  EXPECT_EQ(empty.dtype(), kFloat32);
  EXPECT_EQ(empty.shape(), (Shape{0, 3}));
  EXPECT_EQ(empty.numel(), 0);
}

// Valid safetensors that TinyTorch cannot represent: the error names the file, tensor and dtype.
TEST_F(TensorIo, UnsupportedDtypesAreClearErrors) {
  const uint16_t half[2] = {0x3C00, 0xC000};  // 1.0, −2.0 in IEEE half
  for (const char* dt : {"F16", "BF16", "I16"}) {
    const std::string p = path(std::string(dt) + ".safetensors");
    io::write_safetensors(p, {{"h", dt, {2}, half, sizeof(half)}}, {});
    EXPECT_TT_ERROR(io::load_safetensors(p), "safetensors", p, "\"h\"", dt, "not supported", "F32");
  }
}

TEST_F(TensorIo, InvalidBoolByteIsAnError) {
  const uint8_t bytes[3] = {0, 1, 2};
  const std::string p = path("bool.safetensors");
  io::write_safetensors(p, {{"flags", "BOOL", {3}, bytes, sizeof(bytes)}}, {});
  EXPECT_TT_ERROR(io::load_safetensors(p), p, "BOOL", "flags", "byte 2");
}

TEST_F(TensorIo, MissingFileAndUndefinedTensorAreErrors) {
  EXPECT_TT_ERROR(io::load_safetensors(path("nope.safetensors")), "nope.safetensors");
  EXPECT_TT_ERROR(io::save_safetensors(path("u.safetensors"), {{"ghost", Tensor()}}), "ghost", "undefined");
  EXPECT_FALSE(fs::exists(path("u.safetensors")));
}

}  // namespace
}  // namespace tt
