// The ceilings cache (one small JSON file per user) and ceilings(), the cached-or-probed entry
// point used by the profiler and the roofline. The measurement itself is probe.cpp.
// The file is written with temp + rename (not io/atomic_file.h: io sits above hw), so a reader
// sees the old file or the new one, never half of one.
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/parallel.h"
#include "hw/ceilings.h"

namespace tt::hw {
namespace {

constexpr int kCacheVersion = 1;  // bump when the meaning or set of fields changes

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Json is nlohmann::json (files read) or ordered_json (about to be written): one set of checks.
template <typename Json>
[[noreturn]] void bad_field(const std::string& path, const char* field, const std::string& want, const Json& got) {
  // Numbers through ostream, so NaN and infinities read "nan" / "inf" rather than JSON's "null".
  const std::string shown = got.is_null() ? "nothing (missing)"
                            : got.is_number() ? detail::str_cat(got.template get<double>())
                                              : got.dump();
  detail::throw_error(detail::str_cat("hw cache ", path, ": field \"", field, "\" ", want, ", got ", shown,
                                      "; run `tito hw probe` to re-measure"));
}

template <typename Json>
std::string get_string(const Json& j, const std::string& path, const char* field) {
  const Json v = j.contains(field) ? j.at(field) : Json();
  if (!v.is_string() || v.template get<std::string>().empty()) bad_field(path, field, "must be a non-empty string", v);
  return v.template get<std::string>();
}

template <typename Json>
double get_positive(const Json& j, const std::string& path, const char* field) {
  const Json v = j.contains(field) ? j.at(field) : Json();
  if (!v.is_number() || !std::isfinite(v.template get<double>()) || v.template get<double>() <= 0)
    bad_field(path, field, "must be a positive number", v);
  return v.template get<double>();
}

template <typename Json>
int64_t get_positive_int(const Json& j, const std::string& path, const char* field) {
  const Json v = j.contains(field) ? j.at(field) : Json();
  if (!v.is_number_integer() || v.template get<int64_t>() <= 0 || v.template get<int64_t>() > 1 << 20)
    bad_field(path, field, "must be a positive integer", v);
  return v.template get<int64_t>();
}

// Checks and converts a parsed cache file; every problem names the path and the field.
template <typename Json>
Ceilings from_json(const Json& j, const std::string& path) {
  TT_CHECK(j.is_object(), "hw cache ", path, ": expected a JSON object, got ", j.type_name());
  if (get_positive_int(j, path, "version") != kCacheVersion)
    bad_field(path, "version", "must be " + std::to_string(kCacheVersion), j.at("version"));
  Ceilings c;
  c.cpu = get_string(j, path, "cpu");
  c.isa = get_string(j, path, "isa");
  c.threads = static_cast<int>(get_positive_int(j, path, "threads"));
  c.peak_gflops_1 = get_positive(j, path, "peak_gflops_1");
  c.peak_gflops_all = get_positive(j, path, "peak_gflops_all");
  c.triad_gbs_1 = get_positive(j, path, "triad_gbs_1");
  c.triad_gbs_all = get_positive(j, path, "triad_gbs_all");
  c.measured_at = get_string(j, path, "measured_at");
  return c;
}

// Writes text to path via a sibling temp file, fsync and rename(2), which replaces atomically.
void write_atomic(const std::string& path, const std::string& text) {
  const std::filesystem::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  TT_CHECK(!ec, "hw cache ", path, ": cannot create directory ", target.parent_path().string(), ": ", ec.message());
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  TT_CHECK(f != nullptr, "hw cache ", path, ": cannot create ", tmp, ": ", std::strerror(errno));
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  const int write_errno = errno;
  ok = (std::fclose(f) == 0) && ok;
  if (ok && std::rename(tmp.c_str(), path.c_str()) == 0) return;
  const int err = ok ? errno : write_errno;
  std::remove(tmp.c_str());
  detail::throw_error(detail::str_cat("hw cache ", path, ": cannot write: ", std::strerror(err)));
}

}  // namespace

nlohmann::ordered_json ceilings_to_json(const Ceilings& c) {
  return nlohmann::ordered_json{{"cpu", c.cpu},
                                {"isa", c.isa},
                                {"threads", c.threads},
                                {"peak_gflops_1", c.peak_gflops_1},
                                {"peak_gflops_all", c.peak_gflops_all},
                                {"triad_gbs_1", c.triad_gbs_1},
                                {"triad_gbs_all", c.triad_gbs_all},
                                {"ridge_1", c.ridge_1()},
                                {"ridge_all", c.ridge_all()},
                                {"measured_at", c.measured_at}};
}

std::string cache_path() {
  if (std::string p = env("TT_HW_CACHE"); !p.empty()) return p;
  if (std::string x = env("XDG_CACHE_HOME"); !x.empty() && x[0] == '/') return x + "/tinytorch/hw.json";
  std::string home = env("HOME");
  if (home.empty()) {
    const passwd* pw = ::getpwuid(::getuid());
    if (pw && pw->pw_dir) home = pw->pw_dir;
  }
  TT_CHECK(!home.empty(), "hw cache: no home directory (HOME unset); set TT_HW_CACHE to a file path");
  return home + "/.cache/tinytorch/hw.json";
}

void save_cache(const Ceilings& c, const std::string& path) {
  nlohmann::ordered_json j = {{"version", kCacheVersion}, {"cpu", c.cpu}, {"isa", c.isa}, {"threads", c.threads},
                              {"peak_gflops_1", c.peak_gflops_1}, {"peak_gflops_all", c.peak_gflops_all},
                              {"triad_gbs_1", c.triad_gbs_1}, {"triad_gbs_all", c.triad_gbs_all},
                              {"measured_at", c.measured_at}};
  from_json(j, path);  // never write a file that load_cache would reject
  write_atomic(path, j.dump(2) + "\n");
}

std::optional<Ceilings> load_cache(const std::string& path) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (st.type() == std::filesystem::file_type::not_found) return std::nullopt;
  TT_CHECK(!ec, "hw cache ", path, ": cannot stat: ", ec.message());
  TT_CHECK(st.type() == std::filesystem::file_type::regular, "hw cache ", path, ": not a regular file");
  std::ifstream f(path, std::ios::binary);
  TT_CHECK(f.is_open(), "hw cache ", path, ": cannot open: ", std::strerror(errno));
  std::ostringstream text;
  text << f.rdbuf();
  TT_CHECK(!f.bad(), "hw cache ", path, ": read error");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    detail::throw_error(detail::str_cat("hw cache ", path, ": not valid JSON (corrupt or truncated): ", e.what(),
                                        "; delete it or run `tito hw probe`"));
  }
  return from_json(j, path);
}

Ceilings ceilings() {
  // Note [Ceilings memo]: one probe per process and (path, thread count), even when the cache
  // cannot be written, so a profiler calling this per report does not re-probe each time.
  static std::mutex mu;
  static std::optional<Ceilings> memo;
  static std::string memo_path;
  std::lock_guard<std::mutex> lock(mu);
  std::string path;
  try {
    path = cache_path();
  } catch (const Error& e) {
    std::cerr << "tinytorch: warning: " << e.what() << "\n";
  }
  const int threads = get_num_threads();
  if (memo && memo_path == path && memo->threads == threads) return *memo;
  std::optional<Ceilings> c;
  if (!path.empty()) {
    try {
      c = load_cache(path);
    } catch (const Error& e) {
      std::cerr << "tinytorch: warning: " << e.what() << " (re-probing)\n";
    }
  }
  if (!c || c->cpu != cpu_model() || c->threads != threads) {
    std::cerr << "tinytorch: measuring this machine's ceilings (tito hw probe; cached afterwards)\n";
    c = probe();
    try {
      if (!path.empty()) save_cache(*c, path);
    } catch (const Error& e) {
      std::cerr << "tinytorch: warning: " << e.what() << " (using the figures without caching them)\n";
    }
  }
  memo = c;
  memo_path = path;
  return *c;
}

Ceilings ceilings_for(int threads) {
  try {
    if (auto c = load_cache(); c && c->cpu == cpu_model() && (threads == 1 || c->threads == threads)) return *c;
  } catch (const Error&) {
    // A corrupt cache: ceilings() warns about it and re-probes.
  }
  return ceilings();
}

}  // namespace tt::hw
