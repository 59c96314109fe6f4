// Checkpoint save/load (see checkpoint.h).
#include "io/checkpoint.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/generator.h"
#include "io/checksum.h"
#include "io/tensor_io.h"

namespace tt::io {
namespace {

constexpr const char* kFormat = "tinytorch-checkpoint-v1";

// XXH64 over tensors in name order (name, then bytes) and then the state JSON text.
std::string digest(std::vector<std::pair<std::string, std::pair<const void*, size_t>>> parts, const std::string& state) {
  std::sort(parts.begin(), parts.end(), [](auto& a, auto& b) { return a.first < b.first; });
  Checksum64 h;
  for (auto& [name, bytes] : parts) {
    h.update(name.data(), name.size());
    h.update(bytes.first, bytes.second);
  }
  h.update(state.data(), state.size());
  return checksum_to_hex(h.digest());
}

std::string state_json(const TrainingState& s, const optim::Optimizer* opt, const optim::LRScheduler* sched) {
  nlohmann::json j;
  j["step"] = s.step, j["epoch"] = s.epoch, j["batch_in_epoch"] = s.batch_in_epoch;
  j["loader_seed"] = std::to_string(s.loader_seed);
  std::vector<std::string> rng;
  for (uint64_t w : s.rng_state) rng.push_back(std::to_string(w));
  j["rng_state"] = rng;
  j["extra"] = s.extra;
  if (opt) j["optimizer"] = {{"name", opt->name()}, {"scalars", opt->state_dict().scalars}};
  if (sched) j["scheduler_epoch"] = sched->last_epoch();
  return j.dump();
}

}  // namespace

void save_checkpoint(const std::string& path, const nn::Module& model, const optim::Optimizer* opt,
                     const optim::LRScheduler* sched, TrainingState state) {
  state.rng_state = default_generator().state();
  nn::StateDict all;
  for (auto& [k, v] : model.state_dict()) all.emplace_back("model/" + k, v);
  if (opt)
    for (auto& [k, v] : opt->state_dict().tensors) all.emplace_back("optim/" + k, v);
  std::vector<Tensor> keep;
  std::vector<TensorToWrite> tw = tensors_to_write(all, keep);
  std::string st = state_json(state, opt, sched);
  std::vector<std::pair<std::string, std::pair<const void*, size_t>>> parts;
  for (auto& t : tw) parts.push_back({t.name, {t.data, t.nbytes}});
  write_safetensors(path, tw, {{"format", kFormat}, {"state", st}, {"checksum", digest(parts, st)}});
}

TrainingState load_checkpoint(const std::string& path, nn::Module& model, optim::Optimizer* opt,
                              optim::LRScheduler* sched) {
  SafetensorsFile f = read_safetensors(path);
  auto meta = [&](const char* k) {
    auto it = f.metadata.find(k);
    TT_CHECK(it != f.metadata.end(), "checkpoint: ", path, ": missing metadata \"", k,
             "\" (not a TinyTorch checkpoint?)");
    return it->second;
  };
  TT_CHECK(meta("format") == kFormat, "checkpoint: ", path, ": format \"", meta("format"), "\", expected ", kFormat);
  std::string st = meta("state");
  std::vector<std::pair<std::string, std::pair<const void*, size_t>>> parts;
  for (auto& e : f.tensors) parts.push_back({e.name, {f.bytes(e), e.end - e.begin}});
  std::string want = meta("checksum"), got = digest(parts, st);
  TT_CHECK(want == got, "checkpoint: ", path, ": checksum mismatch (stored ", want, ", computed ", got,
           "): the file is corrupt");
  nlohmann::json j = nlohmann::json::parse(st, nullptr, false);
  TT_CHECK(!j.is_discarded() && j.is_object(), "checkpoint: ", path, ": state is not a JSON object");
  LoadedTensors lt = tensors_from(f, path);
  nn::StateDict model_sd;
  optim::OptimizerState opt_sd;
  for (auto& [k, v] : lt.tensors) {
    if (k.rfind("model/", 0) == 0) model_sd.emplace_back(k.substr(6), v);
    else if (k.rfind("optim/", 0) == 0) opt_sd.tensors.emplace_back(k.substr(6), v);
    else TT_CHECK(false, "checkpoint: ", path, ": unexpected tensor \"", k, "\"");
  }
  // Parse and validate everything first; then apply, optimizer (itself all-or-nothing) before the
  // model, so a failure leaves model and optimizer untouched.
  TrainingState s;
  int64_t sched_epoch = -1;
  try {
    s.step = j.at("step"), s.epoch = j.at("epoch"), s.batch_in_epoch = j.at("batch_in_epoch");
    s.loader_seed = std::stoull(j.at("loader_seed").get<std::string>());
    auto rng = j.at("rng_state").get<std::vector<std::string>>();
    TT_CHECK(rng.size() == 7, "checkpoint: ", path, ": rng_state has ", rng.size(), " words, expected 7");
    for (size_t i = 0; i < 7; ++i) s.rng_state[i] = std::stoull(rng[i]);
    s.extra = j.at("extra").get<std::map<std::string, double>>();
    if (sched) sched_epoch = j.at("scheduler_epoch").get<int64_t>();
    if (opt) {
      TT_CHECK(j.contains("optimizer"), "checkpoint: ", path, ": holds no optimizer state");
      TT_CHECK(j["optimizer"]["name"] == opt->name(), "checkpoint: ", path, ": optimizer is ",
               j["optimizer"]["name"].get<std::string>(), ", expected ", opt->name());
      opt_sd.scalars = j["optimizer"]["scalars"].get<std::map<std::string, double>>();
    }
  } catch (const nlohmann::json::exception& e) {
    TT_CHECK(false, "checkpoint: ", path, ": malformed state: ", e.what());
  } catch (const std::logic_error& e) {  // std::stoull on a malformed number
    TT_CHECK(false, "checkpoint: ", path, ": malformed state: ", e.what());
  }
  try {
    model.check_state_dict(model_sd);
    if (opt) opt->load_state_dict(opt_sd);
    model.load_state_dict(model_sd);
    if (sched) sched->set_last_epoch(sched_epoch);
  } catch (const tt::Error& e) {
    throw tt::Error(std::string(e.what()).rfind("checkpoint:", 0) == 0 ? e.what()
                                                                        : "checkpoint: " + path + ": " + e.what());
  }
  default_generator().set_state(s.rng_state);
  return s;
}

}  // namespace tt::io
