// arcm analyze: sensitivity analysis and scenario discovery on a finished
// sweep file (model/analysis, docs/analysis.md). Parses the command line,
// runs one analysis, writes /sensitivity/<method> into the file and prints
// a table or JSON.
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "analysis/analyze.hpp"
#include "analysis/report.hpp"
#include "analysis/sensitivity_file.hpp"
#include "analysis/sweep_data.hpp"
#include "cli/commands.hpp"

namespace arcm::cli {

namespace {

double parse_number(const std::string& option, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value))
    throw UsageError(option + " takes a number, got '" + text + "'");
  return value;
}

std::uint64_t parse_whole(const std::string& option, const std::string& text) {
  char* end = nullptr;
  const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || text[0] == '-')
    throw UsageError(option + " takes a whole number, got '" + text + "'");
  return value;
}

struct AnalyzeOptions {
  std::string method;
  std::string file;
  bool json{false};
  analysis::BootstrapOptions bootstrap;
  std::vector<std::string> metrics;      // sobol/morris: outputs to print; prim: the one metric
  std::vector<std::string> trajectories; // sobol: per-year indices of these trajectory variables
  std::optional<double> above, below;    // prim
  analysis::PrimOptions prim;
};

AnalyzeOptions parse(const Arguments& args) {
  AnalyzeOptions o;
  for (std::size_t a = 0; a < args.size(); ++a) {
    const std::string& arg = args[a];
    auto value = [&]() -> const std::string& {
      if (a + 1 >= args.size()) throw UsageError(arg + " needs a value");
      return args[++a];
    };
    if (arg == "--json")
      o.json = true;
    else if (arg == "--bootstrap")
      o.bootstrap.resamples = static_cast<std::size_t>(parse_whole(arg, value()));
    else if (arg == "--confidence")
      o.bootstrap.confidence_level = parse_number(arg, value());
    else if (arg == "--seed")
      o.bootstrap.seed = parse_whole(arg, value());
    else if (arg == "--metric")
      o.metrics.push_back(value());
    else if (arg == "--trajectory")
      o.trajectories.push_back(value());
    else if (arg == "--above")
      o.above = parse_number(arg, value());
    else if (arg == "--below")
      o.below = parse_number(arg, value());
    else if (arg == "--peel-alpha")
      o.prim.peel_alpha = parse_number(arg, value());
    else if (arg == "--paste-alpha")
      o.prim.paste_alpha = parse_number(arg, value());
    else if (arg == "--min-mass")
      o.prim.min_mass = parse_number(arg, value());
    else if (arg == "--min-coverage")
      o.prim.min_coverage = parse_number(arg, value());
    else if (!arg.empty() && arg[0] == '-')
      throw UsageError("unknown option " + arg + " for 'arcm analyze'");
    else if (o.method.empty())
      o.method = arg;
    else if (o.file.empty())
      o.file = arg;
    else
      throw UsageError("'arcm analyze' takes a method and one results file, got another argument: " + arg);
  }
  if (o.method != "sobol" && o.method != "morris" && o.method != "prim")
    throw UsageError(o.method.empty() ? "'arcm analyze' needs a method: sobol, morris or prim"
                                      : "unknown analysis '" + o.method + "': use sobol, morris or prim");
  if (o.file.empty()) throw UsageError("'arcm analyze " + o.method + "' needs a results file");
  if (!(o.bootstrap.confidence_level > 0 && o.bootstrap.confidence_level < 1))
    throw UsageError("--confidence takes a level in (0, 1), e.g. 0.95");
  if (o.method == "prim") {
    if (o.metrics.size() != 1) throw UsageError("'arcm analyze prim' needs exactly one --metric NAME");
    if (o.above.has_value() == o.below.has_value())
      throw UsageError("'arcm analyze prim' needs either --above X or --below X");
    if (!o.trajectories.empty()) throw UsageError("--trajectory is for 'arcm analyze sobol'");
  } else {
    if (o.above || o.below) throw UsageError("--above and --below are for 'arcm analyze prim'");
    if (o.method == "morris" && !o.trajectories.empty())
      throw UsageError("--trajectory is for 'arcm analyze sobol'");
  }
  return o;
}

// Prints, writes and says where; the file is written before anything is
// printed as done, so a failed write never looks like a success.
template <class Analysis>
int finish(const AnalyzeOptions& o, const Analysis& analysis, const std::string& text,
           const std::string& json, const std::vector<std::string>& replaced, const std::string& warning) {
  if (!warning.empty()) std::cerr << warning;
  const std::vector<analysis::SensitivityGroup> groups = analysis::sensitivity_groups(analysis);
  analysis::write_sensitivity(o.file, groups, replaced);
  if (o.json) {
    std::cout << json;
  } else {
    std::cout << text << "\nwritten to " << o.file << ":";
    for (const analysis::SensitivityGroup& g : groups) std::cout << " /sensitivity/" << g.name;
    std::cout << "\n";
  }
  return EXIT_OK;
}

} // namespace

int command_analyze(const Arguments& args) {
  const AnalyzeOptions o = parse(args);
  if (o.method == "sobol") {
    analysis::SobolAnalysis result;
    {
      const analysis::SweepData data(o.file);
      result = analysis::analyze_sobol(data, o.bootstrap, o.trajectories);
    }
    // A rerun without --trajectory drops the old per-year indices, so the two groups always match.
    return finish(o, result, analysis::format_table(result, o.metrics), analysis::to_json(result, o.metrics),
                  {"sobol_time"},
                  analysis::failed_run_warning(
                      result.source, "their base samples (" + std::to_string(result.dropped_base_samples) +
                                         ") are left out of every index"));
  }
  if (o.method == "morris") {
    analysis::MorrisAnalysis result;
    {
      const analysis::SweepData data(o.file);
      result = analysis::analyze_morris(data, o.bootstrap);
    }
    return finish(
        o, result, analysis::format_table(result, o.metrics), analysis::to_json(result, o.metrics), {},
        analysis::failed_run_warning(result.source, "the elementary effects they take part in are left out"));
  }
  analysis::PrimAnalysis result;
  {
    const analysis::SweepData data(o.file);
    result = analysis::analyze_prim(data, o.metrics.front(), o.above.has_value(),
                                    o.above ? *o.above : *o.below, o.prim);
  }
  return finish(o, result, analysis::format_table(result), analysis::to_json(result), {},
                analysis::failed_run_warning(result.source, "they are left out of the cases"));
}

} // namespace arcm::cli
