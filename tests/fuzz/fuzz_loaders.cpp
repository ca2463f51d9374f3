#include "fuzz_loaders.hpp"

#include <stdexcept>

#include "core/errors.hpp"
#include "scenario/loader.hpp"
#include "scenario/sweep_file.hpp"

namespace arcm::fuzz {

namespace {

// The emitters must write what the loaders accept: the resolved form of any
// accepted file is itself an accepted file. A refusal there is a bug, so it
// leaves as an exception that is not an arcm::Error.
template <class Load> void reload(const std::string& resolved, Load load) {
  try {
    load(resolved);
  } catch (const Error& error) {
    throw std::logic_error(std::string("the resolved form of an accepted file is refused: ") + error.what() +
                           "\n--- resolved form ---\n" + resolved);
  }
}

} // namespace

bool load_text(Loader loader, const std::string& text, const std::string& pseudo_path) {
  std::string resolved;
  try {
    if (loader == Loader::scenario)
      resolved = to_yaml(load_scenario_from_string(text, pseudo_path));
    else
      resolved = resolved_sweep_yaml(load_sweep_from_string(text, pseudo_path));
  } catch (const Error&) {
    return false;
  }
  if (loader == Loader::scenario)
    reload(resolved, [&](const std::string& t) { load_scenario_from_string(t, pseudo_path); });
  else
    reload(resolved, [&](const std::string& t) { load_sweep_from_string(t, pseudo_path); });
  return true;
}

} // namespace arcm::fuzz
