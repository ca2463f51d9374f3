// `mpirun -n R arcm sweep SWEEP.yaml`: one sweep over R MPI ranks, each with
// its OpenMP threads. Rank 0 owns the results file (serial HDF5): it hands
// out small ranges of runs on request (dynamic load balancing), computes
// ranges itself on a second thread, and writes every run in run order
// through driver::SweepSession, so the file, its /ensemble and its
// checkpoints are those of a single-process sweep. Only with ARCM_WITH_MPI.
#pragma once

#include <optional>

#include "driver/sweep_runner.hpp"

namespace arcm::hpc {

//! Whether this process was started by an MPI launcher (mpirun, mpiexec or
//! srun --mpi=pmix) as one of several ranks. Reads the environment only.
bool launched_by_mpi();

struct MpiSweepResult {
  int ranks{1};
  int rank{0};
  std::optional<driver::SweepOutcome> outcome; //!< on rank 0
  int exit_code{0}; //!< what a worker rank should return (rank 0's result, sent at the end)
};

//! Initialises MPI, runs the sweep over every rank and finalises MPI.
//! `exit_code_of` maps rank 0's outcome to the code every rank returns.
//! Errors before the first run (bad file, refused resume) are thrown on rank 0
//! after the workers were told to stop; errors later abort the job, leaving
//! NAME.partial resumable.
MpiSweepResult run_mpi_sweep(const SweepDefinition& sweep, const driver::SweepOptions& options,
                             int (*exit_code_of)(const driver::SweepOutcome&));

} // namespace arcm::hpc
