// Tensor glue for safetensors (see tensor_io.h).
#include "io/tensor_io.h"

#include <cstring>

#include "ops/ops.h"

namespace tt::io {

std::string safetensors_dtype(DType t) {
  switch (t) {
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
    case DType::Int64: return "I64";
    case DType::Int32: return "I32";
    case DType::Int8: return "I8";
    case DType::UInt8: return "U8";
    case DType::Bool: return "BOOL";
  }
  return "F32";
}

DType dtype_from_safetensors(const std::string& s, const std::string& what) {
  if (s == "F32") return kFloat32;
  if (s == "F64") return kFloat64;
  if (s == "I64") return kInt64;
  if (s == "I32") return kInt32;
  if (s == "I8") return kInt8;
  if (s == "U8") return kUInt8;
  if (s == "BOOL") return kBool;
  TT_CHECK(false, "safetensors: ", what, ": dtype ", s, " is valid safetensors but not supported by TinyTorch ",
           "(supported: F32 F64 I64 I32 I8 U8 BOOL)");
  return kFloat32;
}

std::vector<TensorToWrite> tensors_to_write(const nn::StateDict& tensors, std::vector<Tensor>& keep_alive) {
  std::vector<TensorToWrite> out;
  for (const auto& [name, t] : tensors) {
    TT_CHECK(t.defined(), "safetensors: tensor \"", name, "\" is undefined");
    Tensor c = contiguous(t.detach());
    keep_alive.push_back(c);
    out.push_back({name, safetensors_dtype(c.dtype()), c.shape().vec(), c.raw_data(), c.nbytes()});
  }
  return out;
}

void save_safetensors(const std::string& path, const nn::StateDict& tensors,
                      const std::map<std::string, std::string>& metadata) {
  std::vector<Tensor> keep;
  write_safetensors(path, tensors_to_write(tensors, keep), metadata);
}

LoadedTensors tensors_from(const SafetensorsFile& f, const std::string& what) {
  LoadedTensors out;
  out.metadata = f.metadata;
  for (const TensorEntry& e : f.tensors) {
    DType dt = dtype_from_safetensors(e.dtype, what + ": tensor \"" + e.name + "\"");
    TT_CHECK(static_cast<int>(e.shape.size()) <= kMaxDims, "safetensors: ", what, ": tensor \"", e.name, "\" has ",
             e.shape.size(), " dims (max ", kMaxDims, ")");
    Tensor t = empty(Shape(e.shape), dt);
    if (t.nbytes()) std::memcpy(t.raw_data(), f.bytes(e), t.nbytes());
    if (dt == kBool) {  // only 0/1 are valid bool bytes
      const uint8_t* b = static_cast<const uint8_t*>(t.raw_data());
      for (size_t i = 0; i < t.nbytes(); ++i)
        TT_CHECK(b[i] <= 1, "safetensors: ", what, ": BOOL tensor \"", e.name, "\" holds byte ", int(b[i]), " at ", i);
    }
    out.tensors.emplace_back(e.name, t);
  }
  return out;
}

LoadedTensors load_safetensors(const std::string& path) { return tensors_from(read_safetensors(path), path); }

}  // namespace tt::io
