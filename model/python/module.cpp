// The compiled half of the Python module `arcm` (python/arcm/__init__.py is
// the other half, docs/python.md): scenarios as objects, one run in process
// with the GIL released, and a sweep through the same driver as `arcm sweep`.
// It hands plain arrays and names to Python; xarray objects are built there.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <csignal>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/results.hpp"
#include "core/version.hpp"
#include "driver/single_run.hpp"
#include "driver/sweep_runner.hpp"
#include "dynamics/integrate.hpp"
#include "scenario/loader.hpp"
#include "scenario/parameter_path.hpp"
#include "scenario/sweep_file.hpp"

namespace py = pybind11;

namespace {

// A parameter value from Python as the double ParameterPath::set takes:
// numbers as they are, booleans as 0/1, a choice's word as its index.
double parameter_value(const arcm::ParameterPath& path, const py::handle& value) {
  if (py::isinstance<py::str>(value)) {
    const std::string word = value.cast<std::string>();
    const auto& words = path.words();
    for (std::size_t i = 0; i < words.size(); ++i)
      if (word == words[i]) return static_cast<double>(i);
    std::string known;
    for (const char* w : words) known += std::string(known.empty() ? "" : ", ") + w;
    throw arcm::Error("key '" + path.path() + "': '" + word + "' is not one of its values" +
                      (known.empty() ? std::string(" (it takes a number)") : " (" + known + ")"));
  }
  if (py::isinstance<py::bool_>(value)) {
    if (path.type() != arcm::parameters::Type::boolean)
      throw arcm::Error("key '" + path.path() + "': got a boolean for a number");
    return value.cast<bool>() ? 1.0 : 0.0;
  }
  if (!path.words().empty())
    throw arcm::Error("key '" + path.path() + "': give one of its words, not a number");
  double number = 0.0;
  try {
    number = value.cast<double>();
  } catch (const py::cast_error&) {
    throw arcm::Error("key '" + path.path() + "': expected a number, got " +
                      py::str(py::type::of(value)).cast<std::string>());
  }
  if (path.type() == arcm::parameters::Type::whole_number && number != std::floor(number))
    throw arcm::Error("key '" + path.path() + "': expected a whole number, got " + std::to_string(number));
  return number;
}

py::object parameter_as_python(const arcm::ParameterPath& path, double value) {
  if (!path.words().empty()) return py::str(path.words().at(static_cast<std::size_t>(value)));
  if (path.type() == arcm::parameters::Type::boolean) return py::bool_(value != 0.0);
  if (path.type() == arcm::parameters::Type::whole_number) return py::int_(static_cast<long long>(value));
  return py::float_(value);
}

// One Variable as (name, dims, units, long_name, array), the array a copy in C order.
py::tuple variable_tuple(const arcm::Variable& v, const arcm::RunResults& r) {
  std::vector<py::ssize_t> shape;
  for (const std::string& dim : v.dims) shape.push_back(static_cast<py::ssize_t>(r.dim_length(dim)));
  py::array_t<double> data(shape);
  if (!v.data.empty()) std::memcpy(data.mutable_data(), v.data.data(), v.data.size() * sizeof(double));
  return py::make_tuple(v.name, py::tuple(py::cast(v.dims)), v.units, v.long_name, data);
}

py::dict results_dict(arcm::RunResults&& r) {
  py::dict out;
  py::dict coords;
  py::array_t<double> time(static_cast<py::ssize_t>(r.time.size()));
  if (!r.time.empty()) std::memcpy(time.mutable_data(), r.time.data(), r.time.size() * sizeof(double));
  coords["time"] = time;
  coords["actor"] = r.actor;
  coords["resource"] = r.resource;
  coords["beneficiary"] = r.beneficiary;
  coords["bloc"] = r.bloc;
  coords["kind"] = r.kind;
  coords["actor_kind"] = r.actor_kind;
  coords["actor_bloc"] = r.actor_bloc;
  out["coords"] = coords;
  py::list trajectories, summary;
  for (const arcm::Variable& v : r.trajectories) trajectories.append(variable_tuple(v, r));
  for (const arcm::Variable& v : r.summary) summary.append(variable_tuple(v, r));
  out["trajectories"] = trajectories;
  out["summary"] = summary;
  out["status"] = arcm::to_string(r.status);
  out["message"] = r.message;
  out["stop_time"] = r.stop_time;
  out["wall_seconds"] = r.wall_seconds;
  out["rhs_evaluations"] = r.rhs_evaluations;
  out["accepted_steps"] = r.accepted_steps;
  out["rejected_steps"] = r.rejected_steps;
  out["foresight_iterations"] = r.foresight_iterations;
  out["foresight_residual"] = r.foresight_residual;
  return out;
}

extern "C" void stop_sweep_on_signal(int) {
  arcm::driver::request_sweep_stop();
}

// SIGINT and SIGTERM ask a running sweep to stop while it runs, then the previous handlers return.
class SignalGuard {
public:
  SignalGuard()
      : interrupt_(std::signal(SIGINT, stop_sweep_on_signal)),
        terminate_(std::signal(SIGTERM, stop_sweep_on_signal)) {}
  ~SignalGuard() {
    std::signal(SIGINT, interrupt_);
    std::signal(SIGTERM, terminate_);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

private:
  void (*interrupt_)(int);
  void (*terminate_)(int);
};

} // namespace

PYBIND11_MODULE(_arcm, m) {
  m.doc() = "ARCM's compiled core; use the `arcm` package (docs/python.md)";
  m.attr("__version__") = arcm::VERSION;
  m.attr("git_commit") = arcm::GIT_COMMIT;

  // Errors reach Python as arcm.ConfigError, a ValueError (bad input: a scenario, a sweep, a
  // key or a value), or arcm.IoError, an OSError (a file that cannot be read or written).
  static py::exception<arcm::ConfigError> config_error(m, "ConfigError", PyExc_ValueError);
  static py::exception<arcm::IoError> io_error(m, "IoError", PyExc_OSError);
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const arcm::ConfigError& e) {
      PyErr_SetString(config_error.ptr(), e.what());
    } catch (const arcm::IoError& e) {
      PyErr_SetString(io_error.ptr(), e.what());
    } catch (const arcm::Error& e) {
      PyErr_SetString(config_error.ptr(), e.what());
    }
  });

  py::class_<arcm::Scenario>(m, "Scenario", "A loaded, validated scenario (arcm.load_scenario)")
      .def_readonly("name", &arcm::Scenario::name)
      .def_readonly("description", &arcm::Scenario::description)
      .def("to_yaml", &arcm::to_yaml, "The fully resolved scenario as YAML (what a results file stores)")
      .def("copy", [](const arcm::Scenario& s) { return arcm::Scenario(s); })
      .def(
          "get",
          [](const arcm::Scenario& s, const std::string& key) {
            const arcm::ParameterPath path = arcm::ParameterPath::resolve(s, key);
            return parameter_as_python(path, path.get(s));
          },
          py::arg("key"), "The value of a sweepable key, e.g. 'actors.spacex.progress_ratio'")
      .def(
          "set",
          [](arcm::Scenario& s, const std::string& key, const py::handle& value) {
            const arcm::ParameterPath path = arcm::ParameterPath::resolve(s, key);
            path.set(s, parameter_value(path, value));
          },
          py::arg("key"), py::arg("value"),
          "Set a sweepable key (not validated: validate() or run() checks it)")
      .def("validate", [](const arcm::Scenario& s) { arcm::validate(s); })
      .def("__repr__", [](const arcm::Scenario& s) { return "<arcm.Scenario '" + s.name + "'>"; });

  m.def("load_scenario", &arcm::load_scenario, py::arg("path"),
        "Load and validate a scenario file (errors name the file, line and key)");
  m.def("scenario_from_yaml", &arcm::load_scenario_from_string, py::arg("text"),
        py::arg("name") = std::string("<yaml>"));

  m.def(
      "simulate",
      [](const arcm::Scenario& scenario) {
        arcm::RunResults results;
        {
          py::gil_scoped_release release; // other Python threads run while this one integrates
          arcm::validate(scenario);
          results = arcm::simulate(scenario);
        }
        return results_dict(std::move(results));
      },
      py::arg("scenario"),
      "One run in process: its arrays and status as a dict (arcm.run builds the Dataset)");

  m.def(
      "run_sweep",
      [](const std::string& path, const std::string& output, int threads, bool resume, bool overwrite,
         bool progress) {
        arcm::SweepDefinition sweep = arcm::load_sweep(path);
        arcm::driver::SweepOptions options;
        options.output_path = output;
        options.threads = threads;
        options.resume = resume;
        options.overwrite = overwrite;
        options.progress = progress ? arcm::driver::ProgressReporter::Mode::log
                                    : arcm::driver::ProgressReporter::Mode::quiet;
        arcm::driver::SweepOutcome outcome;
        {
          // Ctrl-C (or SIGTERM) during the sweep stops it as it stops `arcm sweep`: the runs in
          // flight are written and NAME.partial can be resumed. Python's own handlers come back after.
          const SignalGuard guard;
          py::gil_scoped_release release;
          outcome = arcm::driver::run_sweep(sweep, options);
        }
        py::dict out;
        out["output_path"] = outcome.output_path;
        out["total_runs"] = outcome.total_runs;
        out["done"] = outcome.done;
        out["ok"] = outcome.ok;
        out["failed"] = outcome.failed;
        out["kessler"] = outcome.kessler;
        out["interrupted"] = outcome.interrupted;
        out["wall_seconds"] = outcome.wall_seconds;
        out["threads"] = outcome.threads;
        return out;
      },
      py::arg("path"), py::arg("output") = std::string(), py::arg("threads") = 0, py::arg("resume") = false,
      py::arg("overwrite") = false, py::arg("progress") = false);
}
