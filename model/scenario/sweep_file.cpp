#include "scenario/sweep_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <sstream>

#include "core/errors.hpp"
#include "core/variables.hpp"
#include "scenario/config_tree.hpp"
#include "scenario/loader.hpp"
#include "scenario/node_values.hpp"
#include "scenario/validation.hpp"

namespace arcm {

namespace {

using Kind = ConfigNode::Kind;

const std::vector<std::string> TOP_KEYS{"extends", "name",   "description",    "scenario", "scenario_yaml",
                                        "seed",    "design", "run_time_limit", "output",   "total_runs"};
const std::vector<std::string> DESIGN_KEYS{"type",         "parameters", "runs",      "base_samples",  "skip",
                                           "trajectories", "levels",     "scenarios", "scenarios_yaml"};
const std::vector<std::string> OUTPUT_KEYS{"trajectories", "precision", "compression", "ensemble",
                                           "batch_size"};
const std::vector<std::string> DESIGN_TYPES{"grid",  "scenarios", "monte_carlo", "latin_hypercube",
                                            "sobol", "morris"};

std::string show(double v) {
  std::ostringstream s;
  s.precision(12);
  s << v;
  return s.str();
}

// Typed reads from the sweep tree; every failure names file, line and key.
class SweepReader {
public:
  explicit SweepReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const SourceLocation& where, const std::string& key, const std::string& what) const {
    throw ConfigError(where.file.empty() ? file_ : where.file, where.line, where.column, key, what);
  }
  [[noreturn]] void fail(const ConfigNode& node, const std::string& key, const std::string& what) const {
    fail(node.where, key, what);
  }

  void only_keys(const ConfigNode& node, const std::string& path,
                 const std::vector<std::string>& allowed) const {
    for (const ConfigEntry& e : node.entries) {
      if (std::find(allowed.begin(), allowed.end(), e.key) != allowed.end()) continue;
      const std::string near = nearest_word(e.key, allowed);
      fail(e.key_where, path.empty() ? e.key : path + "." + e.key,
           "unknown key" + (near.empty() ? "" : " (did you mean '" + near + "'?)") +
               "; allowed here: " + list_words(allowed));
    }
  }
  const ConfigNode& map(const ConfigNode& node, const std::string& key) const {
    if (!node.is_map()) fail(node, key, "expected a map of keys");
    return node;
  }
  double number(const ConfigNode& node, const std::string& key) const {
    if (const auto v = node_number(node)) return *v;
    fail(node, key, "expected a finite number, got " + describe_node(node));
  }
  //! A value of the swept parameter `parameter`, written as the scenario file
  //! writes it: a number; true/false (or 1/0) for a boolean; a word (or its
  //! index) for a choice such as `legal.regime_scope`.
  double value(const ConfigNode& node, const std::string& key, const ParameterPath& parameter) const {
    switch (parameter.type()) {
    case parameters::Type::boolean: {
      if (const auto b = node_boolean(node)) return *b ? 1.0 : 0.0;
      const auto v = node_number(node);
      if (v && (*v == 0.0 || *v == 1.0)) return *v;
      fail(node, key,
           "expected true or false (or 1 or 0) for the boolean " + parameter.path() + ", got " +
               describe_node(node));
    }
    case parameters::Type::choice: {
      if (const auto index = node_choice(node, parameter.words())) return static_cast<double>(*index);
      const auto v = node_number(node);
      if (v && *v >= 0 && *v == std::floor(*v) && *v < static_cast<double>(parameter.words().size()))
        return *v;
      fail(node, key,
           "expected one of " + list_words(parameter.words()) + " (or its index from 0) for " +
               parameter.path() + ", got " + describe_node(node));
    }
    default: return number(node, key);
    }
  }
  std::size_t count(const ConfigNode& node, const std::string& key, std::size_t minimum) const {
    const double v = number(node, key);
    if (v != std::floor(v) || v < static_cast<double>(minimum) || v > 1e12)
      fail(node, key, "expected a whole number >= " + std::to_string(minimum) + ", got " + node.text);
    return static_cast<std::size_t>(v);
  }
  std::string text(const ConfigNode& node, const std::string& key) const {
    if (node.kind != Kind::scalar) fail(node, key, "expected a string");
    return node.text;
  }
  std::vector<double> numbers(const ConfigNode& node, const std::string& key) const {
    if (node.kind != Kind::sequence) fail(node, key, "expected a list of numbers");
    std::vector<double> out;
    for (std::size_t i = 0; i < node.items.size(); ++i)
      out.push_back(number(node.items[i], key + "[" + std::to_string(i) + "]"));
    return out;
  }
  //! A list of values of the swept parameter `parameter` (see value()).
  std::vector<double> values(const ConfigNode& node, const std::string& key,
                             const ParameterPath& parameter) const {
    if (node.kind != Kind::sequence) fail(node, key, "expected a list of values");
    std::vector<double> out;
    for (std::size_t i = 0; i < node.items.size(); ++i)
      out.push_back(value(node.items[i], key + "[" + std::to_string(i) + "]", parameter));
    return out;
  }
  const std::string& file() const { return file_; }

private:
  std::string file_;
};

// The one-key map `{kind: arguments}` that describes an axis or a distribution.
const ConfigEntry& single_entry(const SweepReader& in, const ConfigNode& node, const std::string& key,
                                const std::string& expected) {
  if (!node.is_map() || node.entries.size() != 1) in.fail(node, key, "expected " + expected);
  return node.entries.front();
}

std::vector<double> read_axis(const SweepReader& in, const ConfigNode& node, const std::string& key,
                              const ParameterPath& parameter) {
  if (node.kind == Kind::sequence) {
    std::vector<double> values = in.values(node, key, parameter);
    if (values.empty()) in.fail(node, key, "an axis needs at least one value");
    return values;
  }
  const ConfigEntry& e =
      single_entry(in, node, key, "a list of values, {linspace: [a, b, n]} or {logspace: [a, b, n]}");
  const std::string sub = key + "." + e.key;
  if (e.key != "linspace" && e.key != "logspace")
    in.fail(e.key_where, sub, "unknown axis form; use a list, linspace or logspace");
  const std::vector<double> args = in.numbers(e.value, sub);
  if (args.size() != 3 || args[2] != std::floor(args[2]) || args[2] < 2)
    in.fail(e.value, sub, "expected [first, last, count] with a whole count >= 2");
  // The axis is built in memory (and a count past 2^64 cannot even be converted).
  if (args[2] > 1e7) in.fail(e.value, sub, "at most 10^7 values on one axis, got " + e.value.items[2].text);
  if (e.key == "logspace" && !(args[0] > 0 && args[1] > 0))
    in.fail(e.value, sub, "logspace needs first > 0 and last > 0 (they are the end values, not exponents)");
  const auto n = static_cast<std::size_t>(args[2]);
  return e.key == "linspace" ? sweep::linspace(args[0], args[1], n) : sweep::logspace(args[0], args[1], n);
}

sweep::Distribution read_distribution(const SweepReader& in, const ConfigNode& node, const std::string& key,
                                      const ParameterPath& parameter) {
  const ConfigEntry& e = single_entry(in, node, key,
                                      "a distribution such as {uniform: [low, high]}, {normal: {mean, sd}}, "
                                      "{lognormal: {median, sigma}}, {triangular: [low, mode, high]}, "
                                      "{loguniform: [low, high]} or {discrete: [values]}");
  const std::string sub = key + "." + e.key;
  // Arguments by position (a list) or by name (a map).
  auto args = [&](const std::vector<std::string>& names) {
    std::vector<double> out;
    if (e.value.kind == Kind::sequence) {
      out = in.numbers(e.value, sub);
      if (out.size() != names.size())
        in.fail(e.value, sub,
                "expected " + std::to_string(names.size()) + " numbers [" + list_words(names) + "]");
      return out;
    }
    if (!e.value.is_map())
      in.fail(e.value, sub, "expected [" + list_words(names) + "] or a map with those keys");
    in.only_keys(e.value, sub, names);
    for (const std::string& name : names) {
      const ConfigNode* v = e.value.find(name) ? &e.value.find(name)->value : nullptr;
      if (v == nullptr) in.fail(e.value, sub + "." + name, "required key is missing");
      out.push_back(in.number(*v, sub + "." + name));
    }
    return out;
  };
  try {
    if (e.key == "uniform") {
      const auto a = args({"low", "high"});
      return sweep::Distribution::uniform(a[0], a[1]);
    }
    if (e.key == "loguniform") {
      const auto a = args({"low", "high"});
      return sweep::Distribution::loguniform(a[0], a[1]);
    }
    if (e.key == "normal") {
      const auto a = args({"mean", "sd"});
      return sweep::Distribution::normal(a[0], a[1]);
    }
    if (e.key == "lognormal") {
      const auto a = args({"median", "sigma"});
      return sweep::Distribution::lognormal(a[0], a[1]);
    }
    if (e.key == "triangular") {
      const auto a = args({"low", "mode", "high"});
      return sweep::Distribution::triangular(a[0], a[1], a[2]);
    }
    if (e.key == "discrete") {
      if (e.value.kind == Kind::sequence)
        return sweep::Distribution::discrete(in.values(e.value, sub, parameter));
      if (!e.value.is_map()) in.fail(e.value, sub, "expected [values] or {values: [...], weights: [...]}");
      in.only_keys(e.value, sub, {"values", "weights"});
      const ConfigEntry* values = e.value.find("values");
      if (values == nullptr) in.fail(e.value, sub + ".values", "required key is missing");
      const ConfigEntry* weights = e.value.find("weights");
      return sweep::Distribution::discrete(in.values(values->value, sub + ".values", parameter),
                                           weights ? in.numbers(weights->value, sub + ".weights")
                                                   : std::vector<double>{});
    }
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& error) {
    in.fail(e.value, sub, error.what());
  }
  in.fail(e.key_where, sub,
          "unknown distribution; use uniform, loguniform, normal, lognormal, triangular or discrete");
}

std::string relative_to(const std::string& base_file, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return path;
  return (std::filesystem::path(base_file).parent_path() / p).lexically_normal().string();
}

// Check one value of one parameter against the model's ranges by setting it on
// each base scenario and validating: the same rules as a scenario file.
void check_value(const SweepDefinition& sweep, const SweepParameter& parameter, double value,
                 const char* role) {
  for (std::size_t s = 0; s < sweep.scenarios.size(); ++s) {
    Scenario trial = sweep.scenarios[s];
    parameter.resolved[s].set(trial, value);
    try {
      validate(trial, sweep.locations);
    } catch (const ConfigError& error) {
      std::string what = error.what();
      const std::string marker = "': ";
      const auto at = what.find(marker);
      const std::string reason = at == std::string::npos ? what : what.substr(at + marker.size());
      throw ConfigError(
          parameter.where.file, parameter.where.line, parameter.where.column,
          "design.parameters." + parameter.path,
          std::string(role) + " " + show(value) + " is outside the model's range for '" + error.key() +
              "': " + reason +
              (sweep.scenarios.size() > 1 ? " (scenario " + sweep.scenario_files[s] + ")" : ""));
    }
  }
}

} // namespace

const char* to_string(DesignKind kind) {
  switch (kind) {
  case DesignKind::grid: return "grid";
  case DesignKind::scenarios: return "scenarios";
  case DesignKind::monte_carlo: return "monte_carlo";
  case DesignKind::latin_hypercube: return "latin_hypercube";
  case DesignKind::sobol: return "sobol";
  case DesignKind::morris: return "morris";
  }
  return "unknown";
}

std::size_t SweepDefinition::total_runs() const {
  const std::size_t per_scenario = sampler ? sampler->size() : 1;
  return per_scenario * (design == DesignKind::scenarios ? scenarios.size() : 1);
}

void SweepDefinition::run_point(std::size_t run, std::size_t& scenario_index, double* values) const {
  const std::size_t per_scenario = sampler ? sampler->size() : 1;
  scenario_index = design == DesignKind::scenarios ? run / per_scenario : 0;
  if (sampler) sampler->values(run % per_scenario, values);
}

Scenario SweepDefinition::scenario_for_run(std::size_t run) const {
  std::size_t scenario_index = 0;
  std::vector<double> values(parameters.size());
  run_point(run, scenario_index, values.data());
  Scenario scenario = scenarios[scenario_index];
  for (std::size_t p = 0; p < parameters.size(); ++p)
    parameters[p].resolved[scenario_index].set(scenario, values[p]);
  validate(scenario, locations);
  return scenario;
}

bool is_sweep_file(const std::string& path) {
  try {
    const ConfigNode root = resolve_extends(read_text_file(path, SourceLocation{}, ""), path);
    // Keys only a sweep file has; a scenario would refuse each of them.
    return root.is_map() && (root.find("design") != nullptr || root.find("scenario") != nullptr ||
                             root.find("scenario_yaml") != nullptr);
  } catch (const ConfigError&) {
    return false;
  }
}

SweepDefinition load_sweep(const std::string& path) {
  return load_sweep_from_string(read_text_file(path, SourceLocation{}, ""), path);
}

SweepDefinition load_sweep_from_string(const std::string& text, const std::string& path) {
  SweepDefinition sweep;
  sweep.source_file = path;
  const SweepReader in(path);
  const ConfigNode root = resolve_extends(text, path);
  if (!root.is_map()) in.fail(root, "", "a sweep file must be a map of keys");
  in.only_keys(root, "", TOP_KEYS);
  sweep.locations = SourceMap(SourceLocation{path, 0, 0});

  if (const ConfigEntry* e = root.find("name")) sweep.name = in.text(e->value, "name");
  if (sweep.name.empty()) sweep.name = std::filesystem::path(path).stem().string();
  if (const ConfigEntry* e = root.find("description")) sweep.description = in.text(e->value, "description");
  if (const ConfigEntry* e = root.find("seed")) {
    const double seed = in.number(e->value, "seed");
    if (seed < 0 || seed != std::floor(seed) || seed > 9007199254740992.0)
      in.fail(e->value, "seed", "expected a whole number between 0 and 2^53");
    sweep.seed = static_cast<std::uint64_t>(seed);
  }
  if (const ConfigEntry* e = root.find("run_time_limit")) {
    sweep.run_time_limit = in.number(e->value, "run_time_limit");
    if (sweep.run_time_limit < 0) in.fail(e->value, "run_time_limit", "must be >= 0 seconds (0: no limit)");
  }

  // Output
  if (const ConfigEntry* e = root.find("output")) {
    const ConfigNode& node = in.map(e->value, "output");
    in.only_keys(node, "output", OUTPUT_KEYS);
    auto selection = [&](const char* key, bool& all, std::vector<std::string>& names) {
      const ConfigEntry* sel = node.find(key);
      if (sel == nullptr) return;
      const std::string sub = std::string("output.") + key;
      if (sel->value.kind == Kind::scalar && (sel->value.text == "all" || sel->value.text == "none")) {
        all = sel->value.text == "all";
        names.clear();
        return;
      }
      if (sel->value.kind != Kind::sequence)
        in.fail(sel->value, sub, "expected all, none or a list of names");
      all = false;
      const std::vector<std::string> known = trajectory_variable_names();
      for (std::size_t i = 0; i < sel->value.items.size(); ++i) {
        const std::string name = in.text(sel->value.items[i], sub);
        if (std::find(known.begin(), known.end(), name) == known.end()) {
          const std::string near = nearest_word(name, known);
          in.fail(sel->value.items[i], sub + "[" + std::to_string(i) + "]",
                  "unknown trajectory variable '" + name + "'" +
                      (near.empty() ? "" : " (did you mean '" + near + "'?)"));
        }
        names.push_back(name);
      }
    };
    selection("trajectories", sweep.output.all_trajectories, sweep.output.trajectories);
    selection("ensemble", sweep.output.all_ensemble, sweep.output.ensemble);
    if (const ConfigEntry* p = node.find("precision")) {
      const std::string v = in.text(p->value, "output.precision");
      if (v != "float64" && v != "float32")
        in.fail(p->value, "output.precision", "expected float64 or float32");
      sweep.output.single_precision = v == "float32";
    }
    if (const ConfigEntry* c = node.find("compression")) {
      const std::string v = in.text(c->value, "output.compression");
      if (v != "deflate" && v != "none") in.fail(c->value, "output.compression", "expected deflate or none");
      sweep.output.compress = v == "deflate";
    }
    if (const ConfigEntry* b = node.find("batch_size"))
      sweep.output.batch_size = in.count(b->value, "output.batch_size", 1);
  }

  // Design
  const ConfigEntry* design_entry = root.find("design");
  if (design_entry == nullptr) in.fail(root, "design", "required key is missing from the sweep");
  const ConfigNode& design = in.map(design_entry->value, "design");
  in.only_keys(design, "design", DESIGN_KEYS);
  const ConfigEntry* type_entry = design.find("type");
  if (type_entry == nullptr)
    in.fail(design, "design.type", "required key is missing; one of " + list_words(DESIGN_TYPES));
  const std::string type = in.text(type_entry->value, "design.type");
  const auto type_at = std::find(DESIGN_TYPES.begin(), DESIGN_TYPES.end(), type);
  if (type_at == DESIGN_TYPES.end())
    in.fail(type_entry->value, "design.type",
            "unknown design '" + type + "'; one of " + list_words(DESIGN_TYPES));
  sweep.design = static_cast<DesignKind>(type_at - DESIGN_TYPES.begin());
  const bool gridded = sweep.design == DesignKind::grid || sweep.design == DesignKind::scenarios;

  // Keys that belong to other designs are refused rather than ignored.
  auto allow_only = [&](const std::vector<std::string>& keys) {
    for (const ConfigEntry& e : design.entries)
      if (e.key != "type" && e.key != "parameters" &&
          std::find(keys.begin(), keys.end(), e.key) == keys.end())
        in.fail(e.key_where, "design." + e.key, "not a key of the " + type + " design");
  };
  auto required_count = [&](const char* key, std::size_t minimum) {
    const ConfigEntry* e = design.find(key);
    if (e == nullptr) in.fail(design, std::string("design.") + key, "required by the " + type + " design");
    return in.count(e->value, std::string("design.") + key, minimum);
  };

  // Base scenario(s): files, or (in resolved sweeps stored in results files)
  // the fully resolved scenario text itself.
  auto inline_scenario = [&](const ConfigNode& node, const std::string& key, std::size_t index) {
    const std::string scenario_text = in.text(node, key);
    sweep.scenario_files.push_back(path + "#scenario" + std::to_string(index));
    sweep.scenarios.push_back(load_scenario_from_string(scenario_text, sweep.scenario_files.back()));
  };
  if (sweep.design == DesignKind::scenarios) {
    allow_only({"scenarios", "scenarios_yaml"});
    for (const char* key : {"scenario", "scenario_yaml"})
      if (root.find(key) != nullptr)
        in.fail(root.find(key)->key_where, key,
                "the scenarios design lists its scenarios in design.scenarios");
    const ConfigEntry* files = design.find("scenarios");
    const ConfigEntry* texts = design.find("scenarios_yaml");
    const ConfigEntry* list = files ? files : texts;
    if (files && texts)
      in.fail(texts->key_where, "design.scenarios_yaml",
              "give design.scenarios or design.scenarios_yaml, not both");
    if (list == nullptr || list->value.kind != Kind::sequence || list->value.items.empty())
      in.fail(list ? list->value : design, "design.scenarios", "expected a non-empty list of scenario files");
    for (std::size_t i = 0; i < list->value.items.size(); ++i) {
      const ConfigNode& item = list->value.items[i];
      if (files) {
        sweep.scenario_files.push_back(relative_to(item.where.file, in.text(item, "design.scenarios")));
        sweep.scenarios.push_back(load_scenario(sweep.scenario_files.back()));
      } else {
        inline_scenario(item, "design.scenarios_yaml", i);
      }
    }
  } else {
    const ConfigEntry* file = root.find("scenario");
    const ConfigEntry* inline_text = root.find("scenario_yaml");
    if (file && inline_text)
      in.fail(inline_text->key_where, "scenario_yaml", "give scenario or scenario_yaml, not both");
    if (file == nullptr && inline_text == nullptr)
      in.fail(root, "scenario", "required key is missing: the base scenario file");
    if (file) {
      sweep.scenario_files.push_back(relative_to(file->value.where.file, in.text(file->value, "scenario")));
      sweep.scenarios.push_back(load_scenario(sweep.scenario_files.back()));
    } else {
      inline_scenario(inline_text->value, "scenario_yaml", 0);
    }
  }
  for (std::size_t s = 1; s < sweep.scenarios.size(); ++s) {
    // One results file has one set of coordinates.
    const Scenario &a = sweep.scenarios[0], &b = sweep.scenarios[s];
    auto same_ids = [](const auto& x, const auto& y) {
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i].id != y[i].id) return false;
      return true;
    };
    if (!same_ids(a.actors, b.actors) || !same_ids(a.resources, b.resources) ||
        !same_ids(a.beneficiaries, b.beneficiaries) || a.blocs != b.blocs || a.start_year != b.start_year ||
        a.end_year != b.end_year || a.output.step != b.output.step)
      in.fail(
          design, "design.scenarios",
          "scenario " + sweep.scenario_files[s] + " differs from " + sweep.scenario_files[0] +
              " in its actors, resources, beneficiaries, blocs or time grid; a sweep's runs share one set");
  }

  // Parameters
  const ConfigEntry* params = design.find("parameters");
  if (params == nullptr && sweep.design != DesignKind::scenarios)
    in.fail(design, "design.parameters", "required key is missing: the parameters to vary");
  if (params != nullptr) {
    const ConfigNode& node = in.map(params->value, "design.parameters");
    for (const ConfigEntry& e : node.entries) {
      SweepParameter p;
      p.path = e.key;
      p.where = e.key_where;
      const std::string key = "design.parameters." + e.key;
      for (std::size_t s = 0; s < sweep.scenarios.size(); ++s) {
        try {
          p.resolved.push_back(ParameterPath::resolve(sweep.scenarios[s], e.key));
        } catch (const Error& error) {
          in.fail(e.key_where, key,
                  std::string(error.what()) +
                      (sweep.scenarios.size() > 1 ? " (in scenario " + sweep.scenario_files[s] + ")" : ""));
        }
      }
      if (gridded)
        p.grid_values = read_axis(in, e.value, key, p.resolved.front());
      else
        p.distribution.push_back(read_distribution(in, e.value, key, p.resolved.front()));
      sweep.locations.add(e.key, e.key_where);
      sweep.parameters.push_back(std::move(p));
    }
    if (sweep.parameters.empty() && sweep.design != DesignKind::scenarios)
      in.fail(params->value, "design.parameters", "at least one parameter must vary");
  }

  // The design itself
  std::vector<sweep::Distribution> distributions;
  for (const auto& p : sweep.parameters)
    if (!p.distribution.empty()) distributions.push_back(p.distribution.front());
  try {
    switch (sweep.design) {
    case DesignKind::grid:
    case DesignKind::scenarios: {
      if (sweep.design == DesignKind::grid) allow_only({});
      std::vector<std::vector<double>> axes;
      for (const auto& p : sweep.parameters) axes.push_back(p.grid_values);
      if (!axes.empty()) sweep.sampler = std::make_shared<sweep::GridDesign>(axes);
      break;
    }
    case DesignKind::monte_carlo:
      allow_only({"runs"});
      sweep.runs = required_count("runs", 1);
      sweep.sampler = std::make_shared<sweep::MonteCarloDesign>(distributions, sweep.runs, sweep.seed);
      break;
    case DesignKind::latin_hypercube:
      allow_only({"runs"});
      sweep.runs = required_count("runs", 1);
      sweep.sampler = std::make_shared<sweep::LatinHypercubeDesign>(distributions, sweep.runs, sweep.seed);
      break;
    case DesignKind::sobol:
      allow_only({"base_samples", "skip"});
      sweep.base_samples = required_count("base_samples", 2);
      // Sobol points are balanced only in blocks of 2^m.
      if ((sweep.base_samples & (sweep.base_samples - 1)) != 0)
        in.fail(design.find("base_samples")->value, "design.base_samples",
                "must be a power of two (Sobol points are balanced in blocks of 2^m), got " +
                    std::to_string(sweep.base_samples));
      if (const ConfigEntry* e = design.find("skip")) sweep.skip = in.count(e->value, "design.skip", 0);
      sweep.sampler = std::make_shared<sweep::SobolSaltelliDesign>(distributions, sweep.base_samples,
                                                                   sweep.seed, sweep.skip);
      break;
    case DesignKind::morris:
      allow_only({"trajectories", "levels"});
      sweep.trajectories = required_count("trajectories", 1);
      sweep.levels = required_count("levels", 2);
      if (sweep.levels % 2 != 0)
        in.fail(design.find("levels")->value, "design.levels",
                "must be even, so that the Morris step is half the levels, got " +
                    std::to_string(sweep.levels));
      for (const auto& p : sweep.parameters)
        if (!p.distribution.front().bounded())
          in.fail(
              p.where, "design.parameters." + p.path,
              "the morris design moves on a grid of levels between the bounds: use a bounded distribution "
              "(uniform, loguniform, triangular or discrete)");
      sweep.sampler =
          std::make_shared<sweep::MorrisDesign>(distributions, sweep.trajectories, sweep.levels, sweep.seed);
      break;
    }
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& error) {
    in.fail(design, "design", error.what());
  }
  if (sweep.total_runs() > (std::size_t{1} << 40)) in.fail(design, "design", "more than 2^40 runs");
  // A resolved sweep records its size; a mismatch means the text was edited.
  if (const ConfigEntry* e = root.find("total_runs"))
    if (in.count(e->value, "total_runs", 0) != sweep.total_runs())
      in.fail(e->value, "total_runs", "the design has " + std::to_string(sweep.total_runs()) + " runs");

  // Every value a run can take must be one the model accepts: checked now,
  // before any run, at the line of the parameter.
  for (const SweepParameter& p : sweep.parameters) {
    if (gridded) {
      for (double v : p.grid_values) check_value(sweep, p, v, "axis value");
      continue;
    }
    const sweep::Distribution& d = p.distribution.front();
    if (d.kind() == sweep::Distribution::Kind::discrete) {
      for (double v : d.values()) check_value(sweep, p, v, "value");
    } else if (d.bounded()) {
      check_value(sweep, p, d.lower_bound(), "lower bound");
      check_value(sweep, p, d.upper_bound(), "upper bound");
    } else {
      // Unbounded: the central 98 % must be valid; a rare draw outside the
      // range fails only its own run.
      check_value(sweep, p, d.quantile(0.01), "1st percentile");
      check_value(sweep, p, d.quantile(0.5), "median");
      check_value(sweep, p, d.quantile(0.99), "99th percentile");
    }
  }
  return sweep;
}

namespace {

// A YAML block scalar holding `text`, indented under a key at `indent`.
std::string block_scalar(const std::string& text, int indent) {
  std::string out = "|\n";
  std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t end = text.find('\n', begin);
    const std::string line = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    out += (line.empty() ? "" : pad + line) + "\n";
    if (end == std::string::npos) break;
    begin = end + 1;
  }
  return out;
}

std::string number_list(const std::vector<double>& values) {
  std::ostringstream out;
  out.precision(17);
  out << "[";
  for (std::size_t i = 0; i < values.size(); ++i) out << (i ? ", " : "") << values[i];
  out << "]";
  return out.str();
}

std::string distribution_yaml(const sweep::Distribution& d) {
  using K = sweep::Distribution::Kind;
  switch (d.kind()) {
  case K::uniform: return "{uniform: " + number_list({d.low(), d.high()}) + "}";
  case K::loguniform: return "{loguniform: " + number_list({d.low(), d.high()}) + "}";
  case K::normal: return "{normal: " + number_list({d.mean(), d.sd()}) + "}";
  case K::lognormal: return "{lognormal: " + number_list({std::exp(d.meanlog()), d.sigma()}) + "}";
  case K::triangular: return "{triangular: " + number_list({d.low(), d.mode(), d.high()}) + "}";
  case K::discrete: {
    std::vector<double> weights;
    double previous = 0.0;
    for (double c : d.cumulative_weights()) {
      weights.push_back(c - previous);
      previous = c;
    }
    return "{discrete: {values: " + number_list(d.values()) + ", weights: " + number_list(weights) + "}}";
  }
  }
  return "{}";
}

std::string selection_yaml(bool all, const std::vector<std::string>& names) {
  if (all) return "all";
  if (names.empty()) return "none";
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out + "]";
}

} // namespace

std::string resolved_sweep_yaml(const SweepDefinition& sweep) {
  std::ostringstream out;
  out.precision(17);
  out << "# ARCM sweep, fully resolved: a valid sweep file with its scenarios inlined\n";
  out << "name: " << yaml_quoted(sweep.name) << "\n";
  out << "seed: " << sweep.seed << "\n";
  out << "run_time_limit: " << sweep.run_time_limit << "\n";
  out << "total_runs: " << sweep.total_runs() << "\n";
  out << "output:\n";
  out << "  trajectories: " << selection_yaml(sweep.output.all_trajectories, sweep.output.trajectories)
      << "\n";
  out << "  precision: " << (sweep.output.single_precision ? "float32" : "float64") << "\n";
  out << "  compression: " << (sweep.output.compress ? "deflate" : "none") << "\n";
  out << "  ensemble: " << selection_yaml(sweep.output.all_ensemble, sweep.output.ensemble) << "\n";
  out << "design:\n  type: " << to_string(sweep.design) << "\n";
  if (sweep.design == DesignKind::monte_carlo || sweep.design == DesignKind::latin_hypercube)
    out << "  runs: " << sweep.runs << "\n";
  if (sweep.design == DesignKind::sobol)
    out << "  base_samples: " << sweep.base_samples << "\n  skip: " << sweep.skip << "\n";
  if (sweep.design == DesignKind::morris)
    out << "  trajectories: " << sweep.trajectories << "\n  levels: " << sweep.levels << "\n";
  if (!sweep.parameters.empty()) {
    out << "  parameters:\n";
    for (const auto& p : sweep.parameters)
      out << "    " << p.path << ": "
          << (p.distribution.empty() ? number_list(p.grid_values) : distribution_yaml(p.distribution.front()))
          << "\n";
  }
  if (sweep.design == DesignKind::scenarios) {
    out << "  scenarios_yaml:\n";
    for (const Scenario& s : sweep.scenarios) out << "    - " << block_scalar(to_yaml(s), 4);
  } else {
    out << "scenario_yaml: " << block_scalar(to_yaml(sweep.scenarios.front()), 0);
  }
  return out.str();
}

std::string definition_hash(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ull; // FNV-1a offset basis
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull; // FNV prime
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

} // namespace arcm
