// A parameter of a scenario named by its dotted path in the scenario file,
// e.g. `legal.benefit_sharing_rate`, `actors.spacex.progress_ratio`,
// `resources.pgm.elasticity`, `actors.us.initial_capacity.water`,
// `resources.water.backstop.price`, `schedule[2].year` or
// `schedule[0].set.benefit_sharing_rate`. Sweeps vary scenarios through
// these: the path is resolved once against the base scenario, then setting a
// value on a copy of the scenario costs a few nanoseconds, with no YAML.
#pragma once

#include <functional>
#include <string>

#include "core/params.hpp"

namespace arcm {

class ParameterPath {
public:
  //! Resolve `path` against `scenario` (ids must exist there). Throws
  //! arcm::Error saying what is wrong with the path (the caller adds the
  //! file and line where the path was written).
  static ParameterPath resolve(const Scenario& scenario, const std::string& path);

  //! Set the parameter on `scenario` (a scenario with the same ids and
  //! schedule length as the one it was resolved against). Booleans take
  //! 0/1, `legal.regime_scope` 0 = parties / 1 = universal.
  void set(Scenario& scenario, double value) const { setter_(scenario, value); }
  double get(const Scenario& scenario) const { return getter_(scenario); }

  const std::string& path() const { return path_; }
  const std::string& units() const { return units_; } //!< e.g. "M$/t", "1"
  bool is_boolean() const { return boolean_; }        //!< only 0 and 1 are meaningful

private:
  std::string path_;
  std::string units_;
  bool boolean_{false};
  std::function<void(Scenario&, double)> setter_;
  std::function<double(const Scenario&)> getter_;
};

} // namespace arcm
