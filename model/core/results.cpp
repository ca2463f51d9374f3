#include "core/results.hpp"

#include "core/errors.hpp"

namespace arcm {

const char* to_string(RunStatus status) {
  switch (status) {
  case RunStatus::ok: return "ok";
  case RunStatus::failed: return "failed";
  case RunStatus::kessler: return "kessler";
  case RunStatus::not_run: return "not_run";
  }
  return "unknown";
}

const Variable* RunResults::find(const std::string& name) const {
  for (const auto* group : {&trajectories, &summary})
    for (const Variable& v : *group)
      if (v.name == name) return &v;
  return nullptr;
}

std::size_t RunResults::dim_length(const std::string& dim) const {
  if (dim == "time") return time.size();
  if (dim == "actor") return actor.size();
  if (dim == "resource") return resource.size();
  if (dim == "beneficiary") return beneficiary.size();
  if (dim == "bloc") return bloc.size();
  if (dim == "kind") return kind.size();
  throw Error("unknown dimension '" + dim + "'");
}

} // namespace arcm
