// A parameter of a scenario named by its dotted path in the scenario file,
// e.g. `legal.benefit_sharing_rate`, `actors.spacex.progress_ratio`,
// `resources.pgm.elasticity`, `actors.us.initial_capacity.water`,
// `resources.water.backstop.price`, `schedule[2].year` or
// `schedule[0].set.benefit_sharing_rate`. Sweeps vary scenarios through
// these: the path is resolved once against the base scenario (through the
// parameter table, which says which keys are sweepable), then setting a value
// on a copy of the scenario costs a few nanoseconds, with no YAML.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "scenario/parameter_table.hpp"

namespace arcm {

class ParameterPath {
public:
  //! Resolve `path` against `scenario` (ids must exist there). Throws
  //! arcm::Error saying what is wrong with the path (the caller adds the
  //! file and line where the path was written).
  static ParameterPath resolve(const Scenario& scenario, const std::string& path);

  //! Set the parameter on `scenario` (a scenario with the same ids and
  //! schedule length as the one it was resolved against). Booleans take
  //! 0/1, choices (`legal.regime_scope`) the index of the word.
  void set(Scenario& scenario, double value) const { setter_(scenario, value); }
  double get(const Scenario& scenario) const { return getter_(scenario); }

  const std::string& path() const { return path_; }
  const std::string& units() const { return units_; }         //!< e.g. "M$/t", "1"
  const std::string& long_name() const { return long_name_; } //!< the parameter's meaning
  parameters::Type type() const { return type_; }
  //! A choice's words (index = value), e.g. {"parties", "universal"}; else empty.
  const std::vector<const char*>& words() const { return words_; }

private:
  template <class Struct, class Locate>
  void bind(const parameters::Parameter<Struct>& row, Locate locate, const std::string& of);

  std::string path_;
  std::string units_;
  std::string long_name_;
  parameters::Type type_{parameters::Type::number};
  std::vector<const char*> words_;
  std::function<void(Scenario&, double)> setter_;
  std::function<double(const Scenario&)> getter_;
};

} // namespace arcm
