// OpenBLAS loader (see openblas_peer.h).
#include "bench/openblas_peer.h"

#include <dlfcn.h>

#include <cstdlib>
#include <fmt/core.h>
#include <mutex>

#include "bench/peer.h"

namespace tt::bench {
namespace {

constexpr const char* kLibrary = "libopenblas.so.0";
// The CBLAS enum values (cblas.h): the symbols are loaded, not declared, so the header is not needed.
constexpr int kCblasRowMajor = 101, kCblasNoTrans = 111, kCblasTrans = 112;

template <typename Fn>
bool resolve(void* lib, const char* name, Fn& out, std::string& missing) {
  out = reinterpret_cast<Fn>(dlsym(lib, name));
  if (out == nullptr) missing += std::string(missing.empty() ? "" : ", ") + name;
  return out != nullptr;
}

}  // namespace

const OpenBlas* OpenBlas::load(int threads, std::string* why) {
  static std::once_flag once;
  static OpenBlas* blas = nullptr;
  static std::string failure;
  std::call_once(once, [] {
    OpenBlas b;
    b.preloaded_ = dlopen(kLibrary, RTLD_LAZY | RTLD_NOLOAD) != nullptr;
    b.coretype_ = openblas_coretype();  // from the CPU flags, replacing the environment's value
    if (!b.coretype_.empty()) setenv("OPENBLAS_CORETYPE", b.coretype_.c_str(), 1);
    void* lib = dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* err = dlerror();
      failure = fmt::format("libopenblas not installed: {} not loadable ({}); apt-get install -y libopenblas0",
                            kLibrary, err ? err : "unknown error");
      return;
    }
    std::string missing;
    resolve(lib, "cblas_sgemm", b.sgemm_, missing);
    resolve(lib, "openblas_set_num_threads", b.set_threads_, missing);
    resolve(lib, "openblas_get_num_threads", b.get_threads_, missing);
    resolve(lib, "openblas_get_corename", b.corename_, missing);
    resolve(lib, "openblas_get_config", b.config_, missing);
    if (!missing.empty()) {
      failure = fmt::format("{} lacks {} (not OpenBLAS?)", kLibrary, missing);
      return;
    }
    blas = new OpenBlas(b);  // lives as long as the process, like the library
  });
  if (blas == nullptr) {
    if (why) *why = failure;
    return nullptr;
  }
  blas->set_threads(threads);
  return blas;
}

void OpenBlas::set_threads(int threads) const { set_threads_(threads); }

int OpenBlas::threads() const { return get_threads_(); }

void OpenBlas::sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                     int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) const {
  sgemm_(kCblasRowMajor, trans_a ? kCblasTrans : kCblasNoTrans, trans_b ? kCblasTrans : kCblasNoTrans,
         static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b,
         static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

std::string OpenBlas::core() const {
  const char* s = corename_();
  return s ? s : "?";
}

std::string OpenBlas::config() const {
  const char* s = config_();
  return s ? s : "?";
}

std::string OpenBlas::describe() const {
  std::string cfg = config();
  std::string version = cfg.substr(0, cfg.find(' ', cfg.find(' ') + 1));  // "OpenBLAS 0.3.21"
  std::string out = fmt::format("{}, core {} (OPENBLAS_CORETYPE={}), {} thread{}", version, core(),
                                coretype_.empty() ? "unset" : coretype_, threads(), threads() == 1 ? "" : "s");
  if (preloaded_) out += " [already loaded at start-up: the core came from the environment then]";
  return out;
}

}  // namespace tt::bench
