// The analyses behind `arcm analyze`: read a finished sweep file
// (SweepData), run the estimators of sobol.hpp, morris.hpp and prim.hpp on
// every output, and keep what /sensitivity stores and the command prints.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "analysis/bootstrap.hpp"
#include "analysis/morris.hpp"
#include "analysis/prim.hpp"
#include "analysis/sobol.hpp"
#include "analysis/sweep_data.hpp"

namespace arcm::analysis {

//! What every analysis records about its source file.
struct SourceSummary {
  std::string path;
  std::string design;
  std::size_t runs{0};
  std::size_t failed_runs{0}; //!< status failed (or never written)
};

struct SobolAnalysis {
  SourceSummary source;
  ParameterAxis parameters;
  BootstrapOptions bootstrap;
  std::size_t base_samples{0};
  std::size_t dropped_base_samples{0}; //!< base samples with a failed run
  OutputAxis outputs;                  //!< every /summary element
  std::vector<SobolIndices> indices;   //!< one per output
  // Time-resolved indices of the requested trajectory variables (empty without).
  std::vector<double> time;
  OutputAxis time_outputs;
  std::vector<SobolIndices> time_indices; //!< [output * time.size() + t]
};

struct MorrisAnalysis {
  SourceSummary source;
  ParameterAxis parameters;
  BootstrapOptions bootstrap;
  std::size_t trajectories{0};
  std::size_t levels{0};
  double delta{0};
  OutputAxis outputs;
  std::vector<MorrisMeasures> measures; //!< one per output
};

struct PrimAnalysis {
  SourceSummary source;
  ParameterAxis parameters;
  std::string metric; //!< output label, e.g. state_share_cumulative_final[water]
  bool above{true};   //!< cases of interest: metric > threshold (else metric < threshold)
  double threshold{0};
  PrimOptions options;
  PrimResult result;
};

//! Sobol indices of every /summary output, and per year of each named
//! trajectory variable. Throws ConfigError unless the file's design is sobol.
SobolAnalysis analyze_sobol(const SweepData& data, const BootstrapOptions& bootstrap,
                            const std::vector<std::string>& trajectory_variables = {});
//! Morris measures of every /summary output. Throws ConfigError unless the
//! file's design is morris.
MorrisAnalysis analyze_morris(const SweepData& data, const BootstrapOptions& bootstrap);
//! PRIM on the runs whose `metric` lies above (or below) `threshold`.
PrimAnalysis analyze_prim(const SweepData& data, const std::string& metric, bool above, double threshold,
                          const PrimOptions& options);

} // namespace arcm::analysis
