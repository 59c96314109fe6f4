// Internal to the registry loader (registry.cpp): turns parsed JSON files into a Registry, checking
// each entry field by field and resolving references once every file is in. Not a public API; the
// schema is Note [Registry schema] in registry.cpp.
#pragma once
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/registry.h"

namespace tt::sim {

std::optional<Precision> find_precision(const std::string& s);  // nullopt when unknown
std::string precision_choices();                                // "fp32, tf32, ..."

// "did you mean A, B?" (case-insensitive prefix matches) or "known <kind>s: ..." for messages.
std::string near_matches(const std::vector<std::string>& keys, const std::string& key, const std::string& kind);

class RegistryBuilder {
 public:
  // Adds the entries of one file. Throws tt::Error naming `path`, the entry and the field.
  void add_file(const std::string& path, const nlohmann::json& j);
  // Resolves references between entries (node -> device, cluster -> node/fabric/grid).
  Registry finish();

 private:
  void add_entry(const std::string& path, const std::string& section, size_t index, const nlohmann::json& j);

  Registry reg_;
  std::map<std::string, std::string> where_;  // "node:DGX_H100" -> "<file>: node 'DGX_H100'"
  std::set<std::string> scale_up_nodes_;      // nodes whose intra_link is their device's scale_up
};

}  // namespace tt::sim
