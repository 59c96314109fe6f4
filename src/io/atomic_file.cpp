// write_file_atomic / read_file on raw POSIX calls, so every step's errno can be reported precisely
// (iostreams lose it) and fsync is available. Not a general file API: whole files only.
#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <system_error>

#include "core/error.h"

namespace tt::io {
namespace {

// generic_category().message is strerror via the thread-safe strerror_r.
std::string errno_text(int err) { return std::generic_category().message(err); }

// Directory part of path, for the temp file (same filesystem, so rename is atomic) and the dir fsync.
std::string dir_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// pid + process-wide counter + clock make names unique across threads and processes; O_EXCL plus a
// retry in the caller covers the remaining chance of a collision with a stale file.
std::string temp_path_for(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return dir_of(path) + "/." + base_of(path) + ".tmp." + std::to_string(::getpid()) + "." +
         std::to_string(counter.fetch_add(1)) + "." + std::to_string(static_cast<uint64_t>(now) % 1000003);
}

// Owns the temp file until commit(): on any exception it is closed and unlinked, so failures leave
// nothing behind.
class TempFile {
 public:
  explicit TempFile(const std::string& target) : target_(target) {
    int err = 0;  // errno copied at once: building the message may allocate and clobber it
    for (int attempt = 0; attempt < 100; ++attempt) {
      tmp_ = temp_path_for(target);
      fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      err = errno;
      if (fd_ >= 0 || err != EEXIST) break;
    }
    TT_CHECK(fd_ >= 0, "write_file_atomic: ", target_, ": cannot create temp file '", tmp_, "': ",
             errno_text(err), "; hint: check that the directory '", dir_of(target_),
             "' exists and is writable");
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());  // best effort: we are already reporting an error
  }

  void write_all(const uint8_t* p, size_t n) {
    while (n > 0) {
      // Some kernels cap one write at ~2 GiB; chunking also keeps the partial-write loop honest.
      const ssize_t w = ::write(fd_, p, std::min<size_t>(n, size_t{1} << 30));
      const int err = w < 0 ? errno : EIO;  // write() returning 0 for n > 0 has no errno; call it EIO
      if (w < 0 && err == EINTR) continue;
      TT_CHECK(w > 0, "write_file_atomic: ", target_, ": write to temp file '", tmp_, "' failed: ",
               errno_text(err), "; hint: is the disk full?");
      p += w;
      n -= static_cast<size_t>(w);
    }
  }

  // fsync before rename: otherwise a crash can leave the new name pointing at unwritten blocks.
  void commit() {
    int rc = ::fsync(fd_);
    int err = errno;
    TT_CHECK(rc == 0, "write_file_atomic: ", target_, ": fsync of temp file '", tmp_, "' failed: ",
             errno_text(err));
    rc = ::close(fd_);
    err = errno;
    fd_ = -1;  // close() releases the fd even when it fails, so never retry it
    TT_CHECK(rc == 0, "write_file_atomic: ", target_, ": close of temp file '", tmp_, "' failed: ",
             errno_text(err));
    rc = ::rename(tmp_.c_str(), target_.c_str());
    err = errno;
    TT_CHECK(rc == 0, "write_file_atomic: ", target_, ": rename from temp file '", tmp_, "' failed: ",
             errno_text(err), "; hint: is the target a directory?");
    committed_ = true;
  }

 private:
  std::string target_, tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

// The rename itself is only durable once the directory entry is on disk.
void fsync_dir(const std::string& target) {
  const std::string dir = dir_of(target);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int err = errno;
  TT_CHECK(fd >= 0, "write_file_atomic: ", target, ": cannot open directory '", dir,
           "' to fsync it: ", errno_text(err));
  const int rc = ::fsync(fd);
  err = errno;
  ::close(fd);  // read-only fd: nothing to lose if close fails
  // EINVAL: this filesystem does not support fsync on directories; there is nothing more we can do.
  TT_CHECK(rc == 0 || err == EINVAL, "write_file_atomic: ", target, ": fsync of directory '", dir,
           "' failed: ", errno_text(err));
}

}  // namespace

void write_file_atomic(const std::string& path, const std::vector<std::span<const uint8_t>>& parts) {
  TT_CHECK(!path.empty() && path.back() != '/', "write_file_atomic: '", path,
           "': expected a file path, got an empty path or a directory path");
  TempFile tmp(path);
  for (const auto& part : parts) tmp.write_all(part.data(), part.size());
  tmp.commit();
  fsync_dir(path);
}

void write_file_atomic(const std::string& path, const void* data, size_t n) {
  TT_CHECK(data != nullptr || n == 0, "write_file_atomic: ", path, ": null data with size ", n);
  write_file_atomic(path, {std::span<const uint8_t>(static_cast<const uint8_t*>(data), n)});
}

std::vector<uint8_t> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const int open_err = errno;  // copied at once: building the message may clobber errno
  TT_CHECK(fd >= 0, "read_file: ", path, ": cannot open: ", errno_text(open_err));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  const int stat_rc = ::fstat(fd, &st);
  const int stat_err = errno;
  TT_CHECK(stat_rc == 0, "read_file: ", path, ": fstat failed: ", errno_text(stat_err));
  TT_CHECK(!S_ISDIR(st.st_mode), "read_file: ", path, ": is a directory, expected a regular file");
  // st_size is only a hint (0 for pipes and /proc files; files can change under us): read to EOF.
  std::vector<uint8_t> buf(S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) + 1 : 65536);
  size_t used = 0;
  for (;;) {
    if (used == buf.size()) buf.resize(buf.size() * 2);
    const ssize_t r = ::read(fd, buf.data() + used, std::min<size_t>(buf.size() - used, size_t{1} << 30));
    const int err = errno;
    if (r < 0 && err == EINTR) continue;
    TT_CHECK(r >= 0, "read_file: ", path, ": read failed after ", used, " bytes: ", errno_text(err),
             "; hint: is it a directory or a device?");
    if (r == 0) break;
    used += static_cast<size_t>(r);
  }
  buf.resize(used);
  return buf;
}

}  // namespace tt::io
