// Out-of-line throw helpers so TT_CHECK stays a compare-and-branch in hot code.
#include "core/error.h"

namespace tt::detail {

void throw_error(const std::string& msg) { throw Error(msg); }

void assert_fail(const char* cond, const char* file, int line, const std::string& msg) {
  throw Error(str_cat("internal error (a TinyTorch bug): ", cond, " failed at ", file, ":", line,
                      msg.empty() ? "" : ": ", msg));
}

}  // namespace tt::detail
