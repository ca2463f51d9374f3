// What `arcm analyze` prints: readable tables, or JSON for machines (the
// same numbers as /sensitivity; NaN is written as null).
#pragma once

#include <string>
#include <vector>

#include "analysis/analyze.hpp"

namespace arcm::analysis {

//! Which outputs to print: all when empty, else those whose label or
//! variable name is listed.
using OutputFilter = std::vector<std::string>;

std::string format_table(const SobolAnalysis& analysis, const OutputFilter& filter = {});
std::string format_table(const MorrisAnalysis& analysis, const OutputFilter& filter = {});
std::string format_table(const PrimAnalysis& analysis);

std::string to_json(const SobolAnalysis& analysis, const OutputFilter& filter = {});
std::string to_json(const MorrisAnalysis& analysis, const OutputFilter& filter = {});
std::string to_json(const PrimAnalysis& analysis);

//! Warnings about dropped runs, one line each ("" when there is nothing to say).
std::string failed_run_warning(const SourceSummary& source, const std::string& consequence);

} // namespace arcm::analysis
