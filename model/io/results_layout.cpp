// Results layout and provenance (the values a file is created from), and the
// helpers the writer and reader share.
#include "io/results_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <utility>

#include "core/errors.hpp"
#include "core/version.hpp"
#include "io/results_internal.hpp"

namespace arcm::io {

using namespace detail;

namespace detail {

std::size_t runs_per_chunk(std::size_t bytes_per_run) {
  const std::size_t runs = TARGET_CHUNK_BYTES / std::max<std::size_t>(bytes_per_run, 1);
  return std::clamp<std::size_t>(runs, 1, MAX_RUNS_PER_CHUNK);
}

// Chunk shape of a dataset with a leading run axis and `per_run_dims` after
// it. Automatic (run_chunk 0): whole runs, as many as fit TARGET_CHUNK_BYTES.
// Fixed run_chunk: exactly that many runs, which is what keeps batches of
// whole chunks from ever sharing a chunk; when run_chunk runs of the variable
// exceed TARGET_CHUNK_BYTES, the per-run axes are cut instead, outermost
// (time) first, keeping the inner axes whole as long as they fit, so a chunk
// still holds a contiguous block of each run.
std::vector<hsize_t> run_axis_chunk(std::int64_t run_chunk, const std::vector<hsize_t>& per_run_dims,
                                    std::size_t element_bytes) {
  std::vector<hsize_t> inner;
  std::size_t per_run = 1;
  for (hsize_t length : per_run_dims) {
    inner.push_back(std::max<hsize_t>(length, 1));
    per_run *= static_cast<std::size_t>(std::max<hsize_t>(length, 1));
  }
  std::vector<hsize_t> chunk;
  if (run_chunk <= 0) {
    chunk.push_back(runs_per_chunk(per_run * element_bytes));
  } else {
    chunk.push_back(static_cast<hsize_t>(run_chunk));
    const hsize_t budget = std::max<hsize_t>(
        1, TARGET_CHUNK_BYTES / (static_cast<hsize_t>(run_chunk) * std::max<std::size_t>(element_bytes, 1)));
    hsize_t kept = 1;
    bool cut = false;
    for (std::size_t axis = inner.size(); axis-- > 0;) {
      if (cut) {
        inner[axis] = 1;
      } else if (kept * inner[axis] <= budget) {
        kept *= inner[axis];
      } else {
        inner[axis] = std::max<hsize_t>(1, budget / kept);
        cut = true;
      }
    }
  }
  chunk.insert(chunk.end(), inner.begin(), inner.end());
  return chunk;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : separator) + part;
  return text;
}

} // namespace detail

// ---- ResultsLayout / Provenance ---------------------------------------------

const std::vector<std::string>& default_ensemble_statistics() {
  static const std::vector<std::string> statistics = {"count", "mean", "std", "min", "q05",
                                                      "q25",   "q50",  "q75", "q95", "max"};
  return statistics;
}

ResultsLayout ResultsLayout::from_run(const RunResults& sample) {
  ResultsLayout layout;
  layout.time = sample.time;
  layout.actor = sample.actor;
  layout.resource = sample.resource;
  layout.beneficiary = sample.beneficiary;
  layout.bloc = sample.bloc;
  layout.kind = sample.kind;
  layout.actor_kind = sample.actor_kind;
  layout.actor_bloc = sample.actor_bloc;
  for (const Variable& v : sample.trajectories)
    layout.trajectories.push_back({v.name, v.long_name, v.units, v.dims});
  for (const Variable& v : sample.summary) layout.summary.push_back({v.name, v.long_name, v.units, v.dims});
  return layout;
}

void ResultsLayout::select_trajectories(const std::vector<std::string>& names) {
  std::vector<VariableSpec> selected;
  for (const std::string& name : names) {
    auto found = std::find_if(trajectories.begin(), trajectories.end(),
                              [&](const VariableSpec& spec) { return spec.name == name; });
    if (found == trajectories.end())
      throw IoError("results layout: no trajectory variable '" + name + "' to store (known: " +
                    join(
                        [&] {
                          std::vector<std::string> known;
                          for (const VariableSpec& spec : trajectories) known.push_back(spec.name);
                          return known;
                        }(),
                        ", ") +
                    ")");
    selected.push_back(*found);
  }
  trajectories = std::move(selected);
}

std::size_t ResultsLayout::dim_length(const std::string& dim) const {
  if (dim == "time") return time.size();
  if (dim == "actor") return actor.size();
  if (dim == "resource") return resource.size();
  if (dim == "beneficiary") return beneficiary.size();
  if (dim == "bloc") return bloc.size();
  if (dim == "kind") return kind.size();
  throw IoError("results layout: unknown dimension '" + dim + "' (known: " + join(KNOWN_DIMS, ", ") + ")");
}

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

Provenance Provenance::of_this_build() {
  Provenance provenance;
  provenance.arcm_version = VERSION;
  provenance.git_commit = GIT_COMMIT;
  provenance.build_type = BUILD_TYPE;
  return provenance;
}

} // namespace arcm::io
