// atomic_file: whole-file reads and crash-safe whole-file writes (temp file + fsync + rename + dir fsync).
// After write_file_atomic returns, the target holds the new bytes durably; if it throws or the machine
// crashes, the target holds either the old or the new bytes, never a mix, and no temp file is left
// (except after a crash, where a `.<name>.tmp.*` sibling may remain). Not a lock: concurrent writers race.
// POSIX only. Errors are tt::Error naming the path and strerror(errno).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tt::io {

// Replaces (or creates) path with n bytes at data. The file gets mode 0666 & ~umask; a symlink at path
// is replaced by a regular file, not followed.
void write_file_atomic(const std::string& path, const void* data, size_t n);

// Same, with the content given as consecutive pieces (avoids concatenating a large buffer first).
void write_file_atomic(const std::string& path, const std::vector<std::span<const uint8_t>>& parts);

// Reads the whole file. Throws if it is missing, unreadable, or a directory.
std::vector<uint8_t> read_file(const std::string& path);

}  // namespace tt::io
