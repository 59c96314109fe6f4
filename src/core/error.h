// Errors: TT_CHECK for user errors (throws tt::Error), TT_ASSERT for internal invariants (bugs).
// A message starts with the op or file name, gives the offending values, and ends with a hint if any:
//   TT_CHECK(a.dim() == 2, "matmul: expected 2-D input, got shape ", a.shape());
// Siblings: everything else in core/. Not for kernels: kernels assume valid input and never throw.
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace tt {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
template <typename... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
[[noreturn]] void throw_error(const std::string& msg);
[[noreturn]] void assert_fail(const char* cond, const char* file, int line, const std::string& msg);
}  // namespace detail

}  // namespace tt

#define TT_CHECK(cond, ...)                                                   \
  do {                                                                        \
    if (__builtin_expect(!(cond), 0)) ::tt::detail::throw_error(::tt::detail::str_cat(__VA_ARGS__)); \
  } while (0)

#define TT_ASSERT(cond, ...)                                                              \
  do {                                                                                    \
    if (__builtin_expect(!(cond), 0))                                                     \
      ::tt::detail::assert_fail(#cond, __FILE__, __LINE__, ::tt::detail::str_cat("" __VA_OPT__(,) __VA_ARGS__)); \
  } while (0)
