// pretokenize(): the vector form of for_each_chunk (pretokenize.h holds the rule).
#include "text/pretokenize.h"

namespace tt::text {

std::vector<std::string_view> pretokenize(std::string_view text) {
  std::vector<std::string_view> chunks;
  for_each_chunk(text, [&](std::string_view c) { chunks.push_back(c); });
  return chunks;
}

}  // namespace tt::text
