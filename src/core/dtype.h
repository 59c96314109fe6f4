// Element types and the dispatch macro that turns a runtime DType into a C++ type.
// Not a type-promotion library: promote_types() is the one rule (bool < ints < float32 < float64).
#pragma once
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string_view>

namespace tt {

enum class DType : uint8_t { Bool, UInt8, Int8, Int32, Int64, Float32, Float64 };
constexpr int kNumDTypes = 7;

constexpr size_t dtype_size(DType t) {
  switch (t) {
    case DType::Bool: case DType::UInt8: case DType::Int8: return 1;
    case DType::Int32: case DType::Float32: return 4;
    case DType::Int64: case DType::Float64: return 8;
  }
  return 0;
}
constexpr bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }
constexpr bool is_integral(DType t) { return !is_floating(t) && t != DType::Bool; }
std::string_view dtype_name(DType t);  // "float32", ... as PyTorch spells them
inline std::ostream& operator<<(std::ostream& os, DType t) { return os << dtype_name(t); }

// Result type of a binary op: the "larger" of the two in bool < uint8 < int8 < int32 < int64 <
// float32 < float64 (uint8 with int8 gives int8 here; PyTorch gives int16, which we lack).
constexpr DType promote_types(DType a, DType b) { return a > b ? a : b; }

template <typename T> struct dtype_of;
template <> struct dtype_of<bool> { static constexpr DType value = DType::Bool; };
template <> struct dtype_of<uint8_t> { static constexpr DType value = DType::UInt8; };
template <> struct dtype_of<int8_t> { static constexpr DType value = DType::Int8; };
template <> struct dtype_of<int32_t> { static constexpr DType value = DType::Int32; };
template <> struct dtype_of<int64_t> { static constexpr DType value = DType::Int64; };
template <> struct dtype_of<float> { static constexpr DType value = DType::Float32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::Float64; };
template <typename T> constexpr DType dtype_of_v = dtype_of<T>::value;

}  // namespace tt

// TT_DISPATCH_ALL(dtype, "op", [&]<typename scalar_t>() { ... }) and friends: call the lambda
// with the C++ type for `dtype`. The _FLOAT form accepts only float32/float64.
#define TT_DISPATCH_CASE(DT, T, fn) case ::tt::DType::DT: return fn.template operator()<T>();
#define TT_DISPATCH_ALL(dtype, opname, ...)                                                  \
  [&]() -> decltype(auto) {                                                                 \
    auto&& _f = __VA_ARGS__;                                                                       \
    switch (dtype) {                                                                        \
      TT_DISPATCH_CASE(Bool, bool, _f) TT_DISPATCH_CASE(UInt8, uint8_t, _f)                 \
      TT_DISPATCH_CASE(Int8, int8_t, _f) TT_DISPATCH_CASE(Int32, int32_t, _f)               \
      TT_DISPATCH_CASE(Int64, int64_t, _f) TT_DISPATCH_CASE(Float32, float, _f)             \
      TT_DISPATCH_CASE(Float64, double, _f)                                                 \
    }                                                                                       \
    TT_CHECK(false, opname, ": unsupported dtype ", dtype);                                 \
    return _f.template operator()<float>();                                                 \
  }()
#define TT_DISPATCH_NUMERIC(dtype, opname, ...)                                              \
  [&]() -> decltype(auto) {                                                                 \
    auto&& _f = __VA_ARGS__;                                                                       \
    switch (dtype) {                                                                        \
      TT_DISPATCH_CASE(UInt8, uint8_t, _f) TT_DISPATCH_CASE(Int8, int8_t, _f)               \
      TT_DISPATCH_CASE(Int32, int32_t, _f) TT_DISPATCH_CASE(Int64, int64_t, _f)             \
      TT_DISPATCH_CASE(Float32, float, _f) TT_DISPATCH_CASE(Float64, double, _f)            \
      default: break;                                                                       \
    }                                                                                       \
    TT_CHECK(false, opname, ": unsupported dtype ", dtype, " (hint: convert with .to(tt::kFloat32))"); \
    return _f.template operator()<float>();                                                 \
  }()
#define TT_DISPATCH_FLOAT(dtype, opname, ...)                                                \
  [&]() -> decltype(auto) {                                                                 \
    auto&& _f = __VA_ARGS__;                                                                       \
    switch (dtype) {                                                                        \
      TT_DISPATCH_CASE(Float32, float, _f) TT_DISPATCH_CASE(Float64, double, _f)            \
      default: break;                                                                       \
    }                                                                                       \
    TT_CHECK(false, opname, ": expected a floating-point tensor, got ", dtype,              \
             " (hint: convert with .to(tt::kFloat32))");                                    \
    return _f.template operator()<float>();                                                 \
  }()
