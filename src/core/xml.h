// Escaping text for XML (the SVG writers: train's plots, the profiler's roofline, the simulator's
// charts). Not an XML library.
#pragma once
#include <string>

namespace tt {

// Escapes & < > " ' for XML text and attributes, and drops control characters XML 1.0 forbids.
std::string xml_escape(const std::string& s);

}  // namespace tt
