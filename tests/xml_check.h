// A tiny XML well-formedness checker for the SVG our own code writes (profile/roofline_svg,
// train/svg_plot), shared by their tests. It checks balanced tags, a single root element
// (optionally of a given name), `name="value"` attributes (double-quoted, no '<', no repeats)
// and that every '&' starts &amp; &lt; &gt; &quot; &apos; or a character reference &#NN; / &#xHH;.
// It is NOT a general XML parser: no comments, CDATA, DOCTYPE, processing instructions other
// than a leading <?xml ...?>, single-quoted attributes, namespaces or entity decoding (attribute
// values and text are handed back exactly as written, still escaped).
#pragma once
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tt::testing {

using XmlAttrs = std::map<std::string, std::string>;  // attribute name -> raw (escaped) value

namespace xml_check_detail {

// Length of the entity or character reference at s[i] == '&', or 0 if there is none.
inline std::size_t entity_length(std::string_view s, std::size_t i) {
  for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
    if (s.compare(i, std::strlen(e), e) == 0) return std::strlen(e);
  }
  if (s.compare(i, 2, "&#") != 0) return 0;
  std::size_t j = i + 2;
  const bool hex = j < s.size() && s[j] == 'x';
  if (hex) ++j;
  const std::size_t digits = j;
  while (j < s.size() && (hex ? std::isxdigit(static_cast<unsigned char>(s[j]))
                              : std::isdigit(static_cast<unsigned char>(s[j])))) {
    ++j;
  }
  if (j == digits || j == s.size() || s[j] != ';') return 0;
  return j + 1 - i;
}

// "" if every '&' in s starts a valid entity, else what is wrong.
inline std::string check_entities(std::string_view s) {
  for (std::size_t i = s.find('&'); i != std::string_view::npos; i = s.find('&', i + 1)) {
    if (entity_length(s, i) == 0) return "bad entity at: " + std::string(s.substr(i, 10));
  }
  return "";
}

// Parses ` name="value" ...` after a tag name; false if malformed, if a value holds '<' or if a
// name repeats.
inline bool parse_attrs(std::string_view s, XmlAttrs& out) {
  std::size_t i = 0;
  for (;;) {
    const std::size_t start = i;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i == s.size()) return true;
    if (i == start) return false;  // attributes are separated by white space
    const std::size_t name = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) ||
                            std::strchr("-_:.", s[i]) != nullptr)) {
      ++i;
    }
    if (i == name || s.compare(i, 2, "=\"") != 0) return false;
    const std::size_t close = s.find('"', i + 2);
    if (close == std::string_view::npos) return false;
    const std::string_view value = s.substr(i + 2, close - i - 2);
    if (value.find('<') != std::string_view::npos) return false;
    if (!out.emplace(std::string(s.substr(name, i - name)), std::string(value)).second) {
      return false;  // repeated attribute
    }
    i = close + 1;
  }
}

}  // namespace xml_check_detail

// Calls f(name, attrs, text) for each start (or self-closing) tag, in document order, where text
// is the raw character data from the end of that tag up to the next '<'. Returns "" if the
// document is well formed (balanced tags, exactly one root element, named `root` unless that is
// empty, quoted attributes, valid entities), else a message saying what is wrong. f may have been
// called for the elements before the problem.
template <typename F>
std::string walk_xml(const std::string& doc, F&& f, std::string_view root = {}) {
  using xml_check_detail::check_entities;
  std::vector<std::string> stack;
  std::size_t pos = 0, roots = 0;
  while (pos < doc.size()) {
    const std::size_t lt = doc.find('<', pos);
    const std::string_view text = std::string_view(doc).substr(pos, lt - pos);
    if (std::string t = check_entities(text); !t.empty()) return t;
    if (lt == std::string::npos) break;
    const std::size_t gt = doc.find('>', lt);
    if (gt == std::string::npos) return "unclosed tag";
    std::string tag = doc.substr(lt + 1, gt - lt - 1);
    pos = gt + 1;
    if (tag.starts_with("?xml")) {
      if (lt != 0) return "<?xml ...?> not at the start";
      continue;
    }
    if (tag.starts_with("/")) {
      if (stack.empty() || stack.back() != tag.substr(1)) return "mismatched </" + tag.substr(1);
      stack.pop_back();
      continue;
    }
    const bool self_closing = tag.ends_with("/");
    if (self_closing) tag.pop_back();
    const std::size_t name_end = std::min(tag.find_first_of(" \n\r\t"), tag.size());
    const std::string name = tag.substr(0, name_end);
    XmlAttrs attrs;
    if (name.empty() ||
        !xml_check_detail::parse_attrs(std::string_view(tag).substr(name_end), attrs)) {
      return "bad tag <" + tag + ">";
    }
    if (std::string t = check_entities(tag); !t.empty()) return t;
    if (stack.empty()) {
      if (++roots > 1) return "more than one root element";
      if (!root.empty() && name != root) {
        return "root is <" + name + ">, expected <" + std::string(root) + ">";
      }
    }
    f(name, attrs, doc.substr(pos, doc.find('<', pos) - pos));
    if (!self_closing) stack.push_back(name);
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  return roots == 1 ? "" : "no root element";
}

// "" if doc is well formed (see walk_xml), else what is wrong.
inline std::string xml_problem(const std::string& doc, std::string_view root = {}) {
  return walk_xml(
      doc, [](const std::string&, const XmlAttrs&, const std::string&) {}, root);
}

}  // namespace tt::testing
