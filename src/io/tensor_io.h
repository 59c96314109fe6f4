// Tensors ⇄ safetensors files: save_safetensors / load_safetensors for a named tensor list
// (a model's state_dict) plus string metadata. Byte-level validation lives in safetensors.cpp;
// this file maps dtypes (F32 F64 I64 I32 I8 U8 BOOL) and copies bytes into fresh tensors.
#pragma once
#include <map>
#include <string>

#include "io/safetensors.h"
#include "nn/module.h"

namespace tt::io {

std::string safetensors_dtype(DType t);
DType dtype_from_safetensors(const std::string& s, const std::string& what);

void save_safetensors(const std::string& path, const nn::StateDict& tensors,
                      const std::map<std::string, std::string>& metadata = {});
struct LoadedTensors {
  nn::StateDict tensors;
  std::map<std::string, std::string> metadata;
};
LoadedTensors load_safetensors(const std::string& path);
// The same from an in-memory parsed file (checkpoints verify the checksum first).
LoadedTensors tensors_from(const SafetensorsFile& f, const std::string& what);
std::vector<TensorToWrite> tensors_to_write(const nn::StateDict& tensors, std::vector<Tensor>& keep_alive);

}  // namespace tt::io
