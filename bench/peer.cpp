// Peer runner implementation (see peer.h).
#include "bench/peer.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/core.h>
#include <iostream>
#include <sys/wait.h>

namespace tt::bench {
namespace {

constexpr const char* kPython = "/usr/bin/python3";
constexpr const char* kFmnistDir = "/usr/share/datasets/fashion-mnist";

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command; returns (exit status, combined stdout+stderr lines).
std::pair<int, std::vector<std::string>> run_command(const std::string& cmd) {
  std::vector<std::string> lines;
  FILE* f = popen((cmd + " 2>&1").c_str(), "r");
  if (!f) return {-1, lines};
  std::string cur;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, f)) {
    for (size_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        lines.push_back(cur);
        cur.clear();
      } else {
        cur += buf[i];
      }
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  int st = pclose(f);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, lines};
}

// Why /usr/bin/python3 with torch is unusable, or "" (checked once per process).
const std::string& torch_problem() {
  static const std::string why = [] {
    const std::string install = " (apt-get install -y python3-torch python3-numpy)";
    if (!std::filesystem::exists(kPython)) return std::string(kPython) + " not found" + install;
    auto [rc, out] = run_command(std::string(kPython) + " -c 'import torch'");
    if (rc != 0) return std::string("torch not importable by ") + kPython + install;
    return std::string();
  }();
  return why;
}

// "name: value unit" -> name, value text, unit text.
bool parse_line(const std::string& line, std::string& name, std::string& value, std::string& unit) {
  size_t colon = line.find(": ");
  if (colon == std::string::npos || colon == 0) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = line[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
  }
  name = line.substr(0, colon);
  std::string rest = line.substr(colon + 2);
  size_t sp = rest.find(' ');
  value = rest.substr(0, sp);
  unit = sp == std::string::npos ? "" : rest.substr(sp + 1);
  return !value.empty();
}

// The line that best says why a script failed: the last one mentioning an error, else the last.
std::string failure_line(const std::vector<std::string>& lines) {
  std::string last;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    std::string l = it->substr(std::min(it->find_first_not_of(" \t"), it->size()));
    if (l.empty()) continue;
    if (last.empty()) last = l;
    if (l.find("rror") != std::string::npos) return l;
  }
  return last;
}

}  // namespace

std::optional<double> PeerRun::get(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::string PeerRun::describe() const {
  auto field = [&](const char* k) {
    auto it = text.find(k);
    return it == text.end() ? std::string("?") : it->second;
  };
  return fmt::format("torch {}, {} thread{}, OpenBLAS {} thread{} (core {}), ATen {}", field("torch_version"), threads,
                     threads == 1 ? "" : "s", blas_threads, blas_threads == 1 ? "" : "s", field("openblas_core"),
                     field("aten_cpu_capability"));
}

std::string openblas_coretype() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return "SkylakeX";
  if (__builtin_cpu_supports("avx2")) return "Haswell";
  return "";
}

std::string peers_dir() { return std::string(TT_SOURCE_DIR) + "/bench/peers"; }

PeerRun run_peer(const std::string& script, const std::string& extra_args, int threads, int blas_threads,
                 bool needs_fmnist) {
  PeerRun run;
  run.script = script, run.threads = threads, run.blas_threads = blas_threads;
  const std::string path = peers_dir() + "/" + script;
  if (!torch_problem().empty()) {
    run.missing = torch_problem();
    return run;
  }
  if (!std::filesystem::exists(path)) {
    run.missing = path + " not found";
    return run;
  }
  if (needs_fmnist && !std::filesystem::exists(std::string(kFmnistDir) + "/train-images-idx3-ubyte.gz")) {
    run.missing = std::string("Fashion-MNIST not in ") + kFmnistDir + " (apt-get install -y dataset-fashion-mnist)";
    return run;
  }
  const std::string core = openblas_coretype();
  const std::string env = (core.empty() ? "env -u OPENBLAS_CORETYPE" : "env OPENBLAS_CORETYPE=" + core) +
                          " PEERS_BLAS_THREADS=" + std::to_string(blas_threads);
  const std::string cmd = fmt::format("{} {} {} --threads {} {}", env, kPython, shell_quote(path), threads, extra_args);
  auto [rc, lines] = run_command(cmd);
  for (const std::string& line : lines) {
    std::string name, value, unit;
    if (!parse_line(line, name, value, unit)) continue;
    run.text[name] = unit.empty() ? value : value + " " + unit;
    char* end = nullptr;
    double v = std::strtod(value.c_str(), &end);
    if (end && *end == '\0') run.values[name] = v;
  }
  if (rc != 0) run.missing = fmt::format("{} failed (exit {}): {}", script, rc, failure_line(lines));
  return run;
}

std::vector<PeerRun> run_peer_configs(const std::string& script, const std::string& extra_args, int threads,
                                      bool needs_fmnist) {
  std::vector<int> blas = {threads};
  if (threads > 1) blas.push_back(1);
  std::vector<PeerRun> runs;
  for (int b : blas) {
    std::cout << fmt::format("peer: {} --threads {} {}(OpenBLAS threads {}, OPENBLAS_CORETYPE={}) ...\n", script,
                             threads, extra_args.empty() ? "" : extra_args + " ", b, openblas_coretype())
              << std::flush;
    runs.push_back(run_peer(script, extra_args, threads, b, needs_fmnist));
    const PeerRun& r = runs.back();
    std::cout << "peer:   " << (r.missing.empty() ? r.describe() : "missing: " + r.missing);
    if (auto bg = r.get("background_cpu_cores")) std::cout << fmt::format("; background load {:.2f} cores", *bg);
    std::cout << "\n" << std::flush;
  }
  return runs;
}

Result compare(const std::string& name, double ours, const std::string& unit, Better better,
               const std::vector<PeerRun>& runs, const std::string& figure) {
  const PeerRun* best = nullptr;
  std::optional<double> best_v;
  std::string why = "no peer run";
  for (const PeerRun& r : runs) {
    if (!r.missing.empty()) {
      why = r.missing;
      continue;
    }
    auto v = r.get(figure);
    if (!v) {
      why = r.script + " printed no " + figure;
      continue;
    }
    if (!best_v || (better == Better::Lower ? *v < *best_v : *v > *best_v)) best_v = v, best = &r;
  }
  if (!best) return make_result(name, ours, std::nullopt, "missing: " + why, unit, better);
  std::string peer_name = "torch " + figure;
  if (runs.size() > 1) peer_name += fmt::format(" (OpenBLAS {} thr)", best->blas_threads);
  return make_result(name, ours, best_v, peer_name, unit, better);
}

}  // namespace tt::bench
