// Round trips, partial-file behaviour and refusals of the results file layer.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/version.hpp"
#include "io/h5_file.hpp"
#include "io/results_file.hpp"
#include "synthetic_results.hpp"

namespace fs = std::filesystem;
using namespace arcm;
using Catch::Matchers::Contains;

namespace {

//! A fresh scratch directory per test case, removed afterwards.
struct ScratchDir {
  fs::path path;
  explicit ScratchDir(const std::string& name)
      : path(fs::temp_directory_path() / ("arcm_test_io_" + std::to_string(::getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

io::Provenance test_provenance() {
  io::Provenance provenance = io::Provenance::of_this_build();
  provenance.resolved_yaml = "scenario:\n  name: test\n";
  provenance.master_seed = 42;
  provenance.threads = 3;
  provenance.processes = 2;
  return provenance;
}

//! Overwrites a root attribute in a finished file, as a newer or foreign writer would.
void tamper_root(const std::string& path, const std::vector<std::int32_t>* version,
                 const std::string* filetype) {
  h5::Handle file = h5::open_file(path, true);
  if (version != nullptr) h5::write_attribute(file.id(), "format_version", *version);
  if (filetype != nullptr) h5::write_attribute(file.id(), "filetype", *filetype);
}

} // namespace

TEST_CASE("a single run round-trips with its provenance, coordinates and values", "[io]") {
  ScratchDir dir("single");
  const std::string path = dir.file("run.h5");
  const RunResults run = test::synthetic_run(0);
  io::write_single_run(path, run, test_provenance(), 7);

  CHECK(fs::exists(path));
  CHECK_FALSE(fs::exists(io::ResultsFileWriter::partial_path_for(path)));

  io::ResultsFileReader reader(path);
  const io::ResultsFileInfo& info = reader.info();
  CHECK(info.format_major == io::RESULTS_FORMAT_MAJOR);
  CHECK(info.format_minor == io::RESULTS_FORMAT_MINOR);
  CHECK(info.run_count == 1);
  CHECK(info.provenance.resolved_yaml == "scenario:\n  name: test\n");
  CHECK(info.provenance.master_seed == 42);
  CHECK(info.provenance.threads == 3);
  CHECK(info.provenance.processes == 2);
  CHECK(info.provenance.arcm_version == VERSION);
  CHECK(info.provenance.created_utc.size() == 20); // YYYY-MM-DDTHH:MM:SSZ
  CHECK(info.trajectory_variables.size() == run.trajectories.size());
  CHECK(info.trajectory_variables.front() == "capacity"); // creation order, not alphabetical
  CHECK(info.summary_variables.size() == run.summary.size());
  CHECK(info.parameters.empty());

  CHECK(reader.read_strings("trajectories", "actor") == run.actor);
  CHECK(reader.read_strings("trajectories", "actor_kind") == run.actor_kind);
  CHECK(reader.read_strings("summary", "bloc") == run.bloc);
  CHECK(reader.read_numeric("trajectories", "time").values == run.time);

  // Values are stored, not recomputed: exact equality is the right test.
  const io::NumericArray capacity = reader.read_numeric("trajectories", "capacity");
  CHECK(capacity.shape == std::vector<std::size_t>{1, 11, 3, 2});
  CHECK(capacity.values == run.find("capacity")->data);
  const io::NumericArray final_debris = reader.read_numeric("summary", "final_debris");
  CHECK(final_debris.shape == std::vector<std::size_t>{1});
  CHECK(final_debris.values == run.find("final_debris")->data);

  CHECK(reader.run_status() == std::vector<RunStatus>{RunStatus::ok});
  CHECK(reader.read_numeric("runs", "seed").values == std::vector<double>{7});
  CHECK(reader.read_numeric("runs", "rhs_evaluations").values == std::vector<double>{1000});
  CHECK(reader.read_strings("runs", "message") == std::vector<std::string>{""});
}

TEST_CASE("a sweep appends out-of-order batches; failed and stopped runs hold NaN", "[io]") {
  ScratchDir dir("sweep");
  const std::string path = dir.file("sweep.h5");
  io::ResultsLayout layout = io::ResultsLayout::from_run(test::synthetic_run(0));
  layout.select_trajectories({"debris", "capacity"});
  layout.trajectory_precision = io::Precision::float32;
  layout.parameters = {{"royalty_rate", "royalty rate", "1", {}}};

  const RunResults ok0 = test::synthetic_run(0), ok1 = test::synthetic_run(1);
  const RunResults failed2 = test::synthetic_failed_run(2), stopped3 = test::synthetic_stopped_run(3, 4);
  {
    io::ResultsFileWriter writer(path, layout, test_provenance());
    writer.append_runs(2, {{&failed2, {0.2}, 12}, {&stopped3, {0.3}, 13}});
    CHECK(writer.run_count() == 4); // runs 0 and 1 exist but are not written yet
    writer.append_runs(0, {{&ok0, {0.0}, 10}, {&ok1, {0.1}, 11}});
    writer.finish();
  }
  io::ResultsFileReader reader(path);
  CHECK(reader.info().trajectory_variables == std::vector<std::string>{"debris", "capacity"});
  CHECK(reader.info().parameters == std::vector<std::string>{"royalty_rate"});
  CHECK(reader.run_status() ==
        std::vector<RunStatus>{RunStatus::ok, RunStatus::ok, RunStatus::failed, RunStatus::kessler});
  CHECK(reader.read_numeric("trajectories", "run").values == std::vector<double>{0, 1, 2, 3});
  CHECK(reader.read_numeric("parameters", "royalty_rate").values == std::vector<double>{0.0, 0.1, 0.2, 0.3});
  CHECK(reader.read_numeric("runs", "seed").values == std::vector<double>{10, 11, 12, 13});
  CHECK(reader.read_strings("runs", "message")[2] == failed2.message);

  const io::NumericArray debris = reader.read_numeric("trajectories", "debris");
  REQUIRE(debris.shape == std::vector<std::size_t>{4, 11});
  for (std::size_t t = 0; t < 11; ++t) {
    // Synthetic values are multiples of 0.25 below 2^22, exact in float32.
    CHECK(debris.values[0 * 11 + t] == ok0.find("debris")->data[t]);
    CHECK(debris.values[1 * 11 + t] == ok1.find("debris")->data[t]);
    CHECK(std::isnan(debris.values[2 * 11 + t]));
    if (t < 4) {
      CHECK(debris.values[3 * 11 + t] == stopped3.find("debris")->data[t]);
    } else {
      CHECK(std::isnan(debris.values[3 * 11 + t]));
    }
  }
  const io::NumericArray npv = reader.read_numeric("summary", "final_npv");
  CHECK(std::isnan(npv.values[2 * 3]));
  CHECK(npv.values[3 * 3 + 1] == stopped3.find("final_npv")->data[1]);
}

TEST_CASE("without finish() the writer leaves only NAME.partial, readable up to the last batch", "[io]") {
  ScratchDir dir("partial");
  const std::string path = dir.file("killed.h5");
  const RunResults run = test::synthetic_run(0);
  {
    io::ResultsFileWriter writer(path, io::ResultsLayout::from_run(run), test_provenance());
    writer.append_runs(0, {{&run, {}, 1}});
    writer.append_runs(5, {{&run, {}, 1}});
  }
  CHECK_FALSE(fs::exists(path));
  REQUIRE(fs::exists(path + ".partial"));
  io::ResultsFileReader reader(path + ".partial");
  const std::vector<RunStatus> status = reader.run_status();
  REQUIRE(status.size() == 6);
  CHECK(status[0] == RunStatus::ok);
  CHECK(status[3] == RunStatus::not_run); // what a resuming sweep would redo
  CHECK(status[5] == RunStatus::ok);
}

TEST_CASE("a summary-only file has no trajectories group", "[io]") {
  ScratchDir dir("summary_only");
  const std::string path = dir.file("summary.h5");
  io::write_single_run(path, test::synthetic_run(0), test_provenance(), 1, false);
  const io::ResultsFileInfo info = io::open_results(path);
  CHECK(info.trajectory_variables.empty());
  CHECK(info.summary_variables.size() == 4);
}

TEST_CASE("readers refuse a newer or older major version, a foreign filetype and a missing file", "[io]") {
  ScratchDir dir("refuse");
  const std::string path = dir.file("run.h5");
  io::write_single_run(path, test::synthetic_run(0), test_provenance(), 1);

  SECTION("newer major") {
    const std::vector<std::int32_t> newer = {io::RESULTS_FORMAT_MAJOR + 1, 0};
    tamper_root(path, &newer, nullptr);
    CHECK_THROWS_MATCHES(
        io::open_results(path), IoError, Catch::Matchers::Predicate<IoError>([&](const IoError& e) {
          const std::string message = e.what();
          return message.find(path) != std::string::npos && message.find("newer") != std::string::npos &&
                 message.find(std::to_string(io::RESULTS_FORMAT_MAJOR + 1) + ".0") != std::string::npos;
        }));
  }
  SECTION("newer minor is accepted") {
    const std::vector<std::int32_t> newer_minor = {io::RESULTS_FORMAT_MAJOR, io::RESULTS_FORMAT_MINOR + 1};
    tamper_root(path, &newer_minor, nullptr);
    CHECK(io::open_results(path).format_minor == io::RESULTS_FORMAT_MINOR + 1);
  }
  SECTION("older major") {
    const std::vector<std::int32_t> older = {io::RESULTS_FORMAT_MAJOR - 1, 3};
    tamper_root(path, &older, nullptr);
    CHECK_THROWS_WITH(io::open_results(path), Contains("older"));
  }
  SECTION("foreign filetype") {
    const std::string foreign = "openmc-statepoint";
    tamper_root(path, nullptr, &foreign);
    CHECK_THROWS_WITH(io::open_results(path),
                      Contains("not an ARCM results file") && Contains("openmc-statepoint"));
  }
  SECTION("missing file") {
    CHECK_THROWS_AS(io::open_results(dir.file("absent.h5")), IoError);
    CHECK_THROWS_WITH(io::open_results(dir.file("absent.h5")),
                      Contains("absent.h5") && Contains("open file"));
  }
  SECTION("not HDF5 at all") {
    const std::string text_path = dir.file("notes.txt");
    std::FILE* text = std::fopen(text_path.c_str(), "w");
    std::fputs("not hdf5\n", text);
    std::fclose(text);
    CHECK_THROWS_AS(io::open_results(text_path), IoError);
  }
}

TEST_CASE("the writer rejects runs that do not fit the layout", "[io]") {
  ScratchDir dir("reject");
  const std::string path = dir.file("bad.h5");
  const RunResults good = test::synthetic_run(0);
  io::ResultsFileWriter writer(path, io::ResultsLayout::from_run(good), test_provenance());

  SECTION("an ok run missing a variable") {
    RunResults missing = good;
    missing.trajectories.erase(missing.trajectories.begin());
    CHECK_THROWS_WITH(writer.append_runs(0, {{&missing, {}, 0}}),
                      Contains("capacity") && Contains("missing"));
  }
  SECTION("a variable with the wrong dims") {
    RunResults wrong = good;
    wrong.trajectories[0].dims = {"time", "resource", "actor"};
    CHECK_THROWS_WITH(writer.append_runs(0, {{&wrong, {}, 0}}), Contains("capacity") && Contains("dims"));
  }
  SECTION("a variable with the wrong size") {
    RunResults wrong = good;
    wrong.summary[0].data.pop_back();
    CHECK_THROWS_WITH(writer.append_runs(0, {{&wrong, {}, 0}}), Contains("final_npv") && Contains("values"));
  }
  SECTION("parameter values that do not match the parameters") {
    CHECK_THROWS_WITH(writer.append_runs(0, {{&good, {1.0}, 0}}), Contains("parameter"));
  }
  SECTION("an unknown trajectory name in the output selection") {
    io::ResultsLayout layout = io::ResultsLayout::from_run(good);
    CHECK_THROWS_WITH(layout.select_trajectories({"capacty"}), Contains("capacty") && Contains("capacity"));
  }
}

TEST_CASE("HDF5 failures become IoError naming the file and object", "[io][h5]") {
  ScratchDir dir("h5errors");
  const std::string path = dir.file("plain.h5");
  h5::Handle file = h5::create_file(path);
  CHECK_THROWS_WITH(h5::open_group(file.id(), "nowhere"), Contains("nowhere") && Contains("plain.h5"));
  h5::write_attribute(file.id(), "greeting", std::string("héllo"));
  CHECK(h5::read_string_attribute(file.id(), "greeting") == "héllo");
  h5::write_attribute(file.id(), "pair", std::vector<std::int32_t>{3, 4});
  CHECK(h5::read_numeric_attribute<double>(file.id(), "pair") == std::vector<double>{3, 4});
  CHECK_THROWS_WITH(h5::read_string_attribute(file.id(), "pair"), Contains("pair"));
}

TEST_CASE("a killed sweep's NAME.partial can be resumed and finished", "[io]") {
  ScratchDir dir("resume");
  const std::string path = dir.file("sweep.h5");
  io::ResultsLayout layout = io::ResultsLayout::from_run(test::synthetic_run(0));
  layout.select_trajectories({"capacity", "debris"});
  layout.trajectory_precision = io::Precision::float32;
  layout.parameters = {{"royalty_rate", "royalty rate", "1", {}}};
  layout.first_run_index = 100; // a shard of a larger sweep
  std::vector<RunResults> runs;
  for (std::int64_t run = 100; run < 104; ++run) runs.push_back(test::synthetic_run(run));
  auto record = [&](std::size_t i) {
    return io::RunRecord{&runs[i], {0.01 * static_cast<double>(i)}, 500 + i};
  };
  {
    io::ResultsFileWriter writer(path, layout, test_provenance());
    writer.append_runs(100, {record(0), record(1)});
    writer.write_checkpoint(102, {});
    writer.append_runs(103, {record(3)});
  } // "killed": no finish(), and run 103 came after the checkpoint

  const std::vector<RunStatus> before = io::ResultsFileReader(path + ".partial").run_status();
  REQUIRE(before.size() == 4);
  CHECK(before[2] == RunStatus::not_run);

  io::ResumeInfo info;
  io::ResultsFileWriter resumed = io::ResultsFileWriter::resume(path, &info);
  CHECK(info.next_run == 102);
  CHECK(resumed.run_count() == 4);
  // Only the checkpointed runs are kept; run 103 is written again.
  CHECK(io::ResultsFileReader(path + ".partial").run_status() ==
        std::vector<RunStatus>{RunStatus::ok, RunStatus::ok, RunStatus::not_run, RunStatus::not_run});
  resumed.append_runs(102, {record(2), record(3)});
  resumed.finish();

  io::ResultsFileReader reader(path);
  CHECK_FALSE(fs::exists(path + ".partial"));
  CHECK(reader.info().provenance.master_seed == 42);
  CHECK(reader.info().trajectory_variables == std::vector<std::string>{"capacity", "debris"});
  CHECK(reader.run_status() == std::vector<RunStatus>(4, RunStatus::ok));
  CHECK(reader.read_numeric("summary", "run").values == std::vector<double>{100, 101, 102, 103});
  CHECK(reader.read_numeric("parameters", "royalty_rate").values ==
        std::vector<double>{0.0, 0.01, 0.02, 0.03});
  const io::NumericArray capacity = reader.read_numeric("trajectories", "capacity");
  REQUIRE(capacity.shape == std::vector<std::size_t>{4, 11, 3, 2});
  const std::vector<double>& expected = runs[2].find("capacity")->data;
  CHECK(std::vector<double>(capacity.values.begin() + 2 * 66, capacity.values.begin() + 3 * 66) == expected);

  CHECK_THROWS_WITH(io::ResultsFileWriter::resume(dir.file("never_started.h5")),
                    Contains("never_started.h5.partial"));
}

namespace {

//! Ensemble variables for the synthetic layout: value = 100 * statistic + element.
std::vector<io::EnsembleVariable> synthetic_ensemble(const RunResults& sample, std::size_t statistics) {
  std::vector<io::EnsembleVariable> variables;
  for (const char* name : {"capacity", "debris"}) {
    const Variable& v = *sample.find(name);
    io::EnsembleVariable variable{{v.name, v.long_name, v.units, v.dims}, {}};
    for (std::size_t s = 0; s < statistics; ++s)
      for (std::size_t i = 0; i < v.data.size(); ++i)
        variable.values.push_back(100.0 * static_cast<double>(s) + static_cast<double>(i));
    variables.push_back(std::move(variable));
  }
  return variables;
}

} // namespace

TEST_CASE("/ensemble round-trips without a run axis, in files with and without trajectories",
          "[io][ensemble]") {
  ScratchDir dir("ensemble");
  const RunResults run = test::synthetic_run(0);
  const bool store_trajectories = GENERATE(true, false);
  const std::string path = dir.file(store_trajectories ? "with.h5" : "without.h5");
  io::ResultsLayout layout = io::ResultsLayout::from_run(run);
  layout.store_trajectories = store_trajectories;
  {
    io::ResultsFileWriter writer(path, layout, test_provenance());
    writer.append_runs(0, {{&run, {}, 1}});
    // A first, shorter version is replaced by the second call.
    writer.write_ensemble({"count", "mean"}, synthetic_ensemble(run, 2));
    writer.write_ensemble(io::default_ensemble_statistics(), synthetic_ensemble(run, 10));
    writer.finish();
  }
  io::ResultsFileReader reader(path);
  CHECK(reader.info().ensemble_variables == std::vector<std::string>{"capacity", "debris"});
  CHECK(reader.info().ensemble_statistics == io::default_ensemble_statistics());
  CHECK(reader.info().trajectory_variables.empty() != store_trajectories);
  CHECK(reader.read_strings("ensemble", "statistic") ==
        std::vector<std::string>{"count", "mean", "std", "min", "q05", "q25", "q50", "q75", "q95", "max"});
  CHECK(reader.read_numeric("ensemble", "time").values == run.time);
  CHECK(reader.read_strings("ensemble", "actor_bloc") == run.actor_bloc);
  const io::NumericArray capacity = reader.read_numeric("ensemble", "capacity");
  CHECK(capacity.shape == std::vector<std::size_t>{10, 11, 3, 2});
  CHECK(capacity.values == synthetic_ensemble(run, 10)[0].values);
  const io::NumericArray debris = reader.read_numeric("ensemble", "debris");
  CHECK(debris.shape == std::vector<std::size_t>{10, 11});
  CHECK(debris.values[3 * 11 + 4] == 304.0);
}

TEST_CASE("write_ensemble refuses bad statistics, names, dims and sizes", "[io][ensemble]") {
  ScratchDir dir("ensemble_refuse");
  const RunResults run = test::synthetic_run(0);
  io::ResultsFileWriter writer(dir.file("bad.h5"), io::ResultsLayout::from_run(run), test_provenance());
  std::vector<io::EnsembleVariable> variables = synthetic_ensemble(run, 10);
  const std::vector<std::string>& statistics = io::default_ensemble_statistics();
  CHECK_THROWS_WITH(writer.write_ensemble({}, variables), Contains("no statistics"));
  CHECK_THROWS_WITH(writer.write_ensemble({"mean", "mean"}, synthetic_ensemble(run, 2)),
                    Contains("repeated"));
  variables[1].values.pop_back();
  CHECK_THROWS_WITH(writer.write_ensemble(statistics, variables), Contains("debris") && Contains("expected"));
  variables = synthetic_ensemble(run, 10);
  variables[1].spec.dims = {"run", "time"};
  CHECK_THROWS_WITH(writer.write_ensemble(statistics, variables), Contains("'run'"));
  variables[1].spec.dims = {"time", "planet"};
  CHECK_THROWS_WITH(writer.write_ensemble(statistics, variables), Contains("planet"));
  variables[1].spec.name = "time";
  CHECK_THROWS_WITH(writer.write_ensemble(statistics, variables), Contains("coordinate name"));
}

TEST_CASE("a declared ensemble survives resuming a summary-only file", "[io][ensemble][resume]") {
  ScratchDir dir("ensemble_resume");
  const std::string path = dir.file("sweep.h5");
  const RunResults run = test::synthetic_run(0);
  io::ResultsLayout layout = io::ResultsLayout::from_run(run);
  layout.store_trajectories = false;
  for (const io::EnsembleVariable& variable : synthetic_ensemble(run, 10))
    layout.ensemble.push_back(variable.spec);
  {
    io::ResultsFileWriter writer(path, layout, test_provenance());
    writer.append_runs(0, {{&run, {}, 1}});
  } // killed
  // The placeholder is all NaN until written.
  const io::NumericArray placeholder =
      io::ResultsFileReader(path + ".partial").read_numeric("ensemble", "debris");
  CHECK(placeholder.shape == std::vector<std::size_t>{10, 11});
  CHECK(std::isnan(placeholder.values.front()));

  io::ResultsFileWriter resumed = io::ResultsFileWriter::resume(path);
  resumed.write_ensemble(io::default_ensemble_statistics(), synthetic_ensemble(run, 10));
  resumed.finish();
  io::ResultsFileReader reader(path);
  CHECK(reader.read_numeric("ensemble", "time").values == run.time);
  CHECK(reader.read_numeric("ensemble", "debris").values == synthetic_ensemble(run, 10)[1].values);

  // Without the declaration a resumed summary-only file has no time axis to offer.
  const std::string bare = dir.file("bare.h5");
  layout.ensemble.clear();
  { io::ResultsFileWriter writer(bare, layout, test_provenance()); }
  io::ResultsFileWriter bare_resumed = io::ResultsFileWriter::resume(bare);
  CHECK_THROWS_WITH(
      bare_resumed.write_ensemble(io::default_ensemble_statistics(), synthetic_ensemble(run, 10)),
      Contains("no time coordinate"));
}

TEST_CASE("checkpoints are replaced, survive a kill and are removed by finish()", "[io][checkpoint]") {
  ScratchDir dir("checkpoint");
  const std::string path = dir.file("sweep.h5");
  const RunResults run = test::synthetic_run(0);
  io::ResultsLayout layout = io::ResultsLayout::from_run(run);
  layout.store_trajectories = false;
  {
    io::ResultsFileWriter writer(path, layout, test_provenance());
    CHECK_FALSE(io::ResultsFileReader(path + ".partial").read_checkpoint().has_value());
    writer.append_runs(0, {{&run, {}, 1}, {&run, {}, 1}});
    writer.write_checkpoint(2, std::vector<double>(100000, 1.5)); // more than one chunk
    writer.append_runs(2, {{&run, {}, 1}});
    writer.write_checkpoint(3, {3.0, -0.0, 7.25}); // shorter
    writer.append_runs(3, {{&run, {}, 1}});        // killed before its checkpoint
    CHECK_THROWS_WITH(writer.write_checkpoint(5, {}), Contains("outside"));
  }
  {
    const std::optional<io::Checkpoint> checkpoint =
        io::ResultsFileReader(path + ".partial").read_checkpoint();
    REQUIRE(checkpoint.has_value());
    CHECK(checkpoint->next_run == 3);
    CHECK(checkpoint->state == std::vector<double>{3.0, -0.0, 7.25});
    CHECK(io::ResultsFileReader(path + ".partial").read_numeric("checkpoint", "checkpoint_element").values ==
          std::vector<double>{0, 1, 2});
  }
  {
    io::ResultsFileWriter resumed = io::ResultsFileWriter::resume(path);
    resumed.append_runs(3, {{&run, {}, 1}}); // the driver rewrites runs after next_run
    std::vector<double> longer(40000);
    for (std::size_t i = 0; i < longer.size(); ++i) longer[i] = static_cast<double>(i) / 3.0;
    resumed.write_checkpoint(4, longer); // longer again
    const std::optional<io::Checkpoint> checkpoint =
        io::ResultsFileReader(path + ".partial").read_checkpoint();
    REQUIRE(checkpoint.has_value());
    CHECK(checkpoint->next_run == 4);
    CHECK(checkpoint->state == longer);
    resumed.write_checkpoint(4, {}); // empty is allowed
    CHECK(io::ResultsFileReader(path + ".partial").read_checkpoint()->state.empty());
    resumed.finish();
  }
  io::ResultsFileReader reader(path);
  CHECK_FALSE(reader.read_checkpoint().has_value());
  h5::Handle file = h5::open_file(path, false);
  CHECK_FALSE(h5::link_exists(file.id(), "checkpoint"));
}

TEST_CASE("a checkpoint whose replacement was interrupted reads as none", "[io][checkpoint]") {
  ScratchDir dir("checkpoint_torn");
  const std::string path = dir.file("sweep.h5");
  const RunResults run = test::synthetic_run(0);
  {
    io::ResultsFileWriter writer(path, io::ResultsLayout::from_run(run), test_provenance());
    writer.append_runs(0, {{&run, {}, 1}});
    writer.write_checkpoint(1, {1.0});
  }
  { // what a kill between the two flushes of write_checkpoint leaves
    h5::Handle file = h5::open_file(path + ".partial", true);
    h5::Handle group = h5::open_group(file.id(), "checkpoint");
    h5::delete_attribute(group.id(), "next_run");
  }
  CHECK_FALSE(io::ResultsFileReader(path + ".partial").read_checkpoint().has_value());
}

TEST_CASE("The run axis grows to the last run written; runs never written are not_run", "[io]") {
  ScratchDir dir("growing");
  const std::string path = dir.file("sweep.h5");
  const RunResults run = test::synthetic_run(0);
  io::ResultsLayout layout = io::ResultsLayout::from_run(run);
  layout.first_run_index = 10;
  io::ResultsFileWriter writer(path, layout, test_provenance());
  CHECK(writer.run_count() == 0);
  writer.append_runs(14, {{&run, {}, 1}});
  CHECK(writer.run_count() == 5);
  writer.append_runs(11, {{&run, {}, 1}}); // an earlier run fills its row; the axis stays
  CHECK(writer.run_count() == 5);
  writer.finish();
  io::ResultsFileReader reader(path);
  CHECK(reader.read_numeric("summary", "run").values == std::vector<double>{10, 11, 12, 13, 14});
  CHECK(reader.run_status() == std::vector<RunStatus>{RunStatus::not_run, RunStatus::ok, RunStatus::not_run,
                                                      RunStatus::not_run, RunStatus::ok});
  const io::NumericArray debris = reader.read_numeric("trajectories", "debris");
  CHECK(std::isnan(debris.values[2 * 11]));
  CHECK(debris.values[1 * 11] == run.find("debris")->data[0]);
  CHECK(debris.values[4 * 11] == run.find("debris")->data[0]);
}

TEST_CASE("definition_hash, design and total_runs round-trip; defaults describe a single run", "[io]") {
  ScratchDir dir("identity");
  const RunResults run = test::synthetic_run(0);
  io::write_single_run(dir.file("single.h5"), run, test_provenance(), 1);
  const io::Provenance single = io::open_results(dir.file("single.h5")).provenance;
  CHECK(single.definition_hash.empty());
  CHECK(single.design == "single_run");
  CHECK(single.total_runs == 1);

  io::Provenance provenance = test_provenance();
  provenance.yaml_kind = "sweep";
  provenance.definition_hash = "0123456789abcdef";
  provenance.design = "sobol";
  provenance.total_runs = 4096;
  io::ResultsFileWriter writer(dir.file("sweep.h5"), io::ResultsLayout::from_run(run), provenance);
  writer.finish();
  const io::Provenance read = io::open_results(dir.file("sweep.h5")).provenance;
  CHECK(read.definition_hash == "0123456789abcdef");
  CHECK(read.design == "sobol");
  CHECK(read.total_runs == 4096);
}

TEST_CASE("a format 1.0 file is read, and resuming one upgrades it to this minor version", "[io]") {
  ScratchDir dir("format_1_0");
  const std::string path = dir.file("old.h5");
  const RunResults run = test::synthetic_run(0);
  {
    io::ResultsFileWriter writer(path, io::ResultsLayout::from_run(run), test_provenance());
    writer.append_runs(0, {{&run, {}, 1}});
  }
  { // make it look like a 1.0 writer's file: version 1.0, none of the 1.1 root attributes
    h5::Handle file = h5::open_file(path + ".partial", true);
    h5::write_attribute(file.id(), "format_version", std::vector<std::int32_t>{1, 0});
    for (const char* name : {"definition_hash", "design", "total_runs"})
      h5::delete_attribute(file.id(), name);
  }
  const io::ResultsFileInfo old = io::open_results(path + ".partial");
  CHECK(old.format_minor == 0);
  CHECK(old.provenance.definition_hash.empty());
  CHECK(old.provenance.design.empty());
  CHECK(old.provenance.total_runs == 0);
  CHECK(old.ensemble_variables.empty());
  CHECK(io::ResultsFileReader(path + ".partial").read_numeric("summary", "final_debris").values ==
        run.find("final_debris")->data);

  io::ResultsFileWriter resumed = io::ResultsFileWriter::resume(path);
  resumed.write_checkpoint(1, {2.0});
  resumed.finish();
  const io::ResultsFileInfo upgraded = io::open_results(path);
  CHECK(upgraded.format_minor == io::RESULTS_FORMAT_MINOR);
  CHECK(upgraded.provenance.total_runs == 0);
  CHECK(upgraded.provenance.design.empty());
}

namespace {

std::vector<char> bytes_of(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(stream), {});
}

//! The runs of a finished 6-run sweep before and after --retry-failed:
//! runs 1 and 4 failed at first and succeed when retried.
struct RetrySweep {
  std::vector<RunResults> runs, retried;
  io::ResultsLayout layout;

  RetrySweep() {
    for (std::int64_t r = 0; r < 6; ++r)
      runs.push_back(r == 1 || r == 4 ? test::synthetic_failed_run(r) : test::synthetic_run(r));
    for (std::int64_t r : {1, 4}) retried.push_back(test::synthetic_run(r));
    layout = io::ResultsLayout::from_run(runs[0]);
    layout.parameters = {{"royalty_rate", "royalty rate", "1", {}}};
    // Runs 1 and 4 share their chunks with runs that must stay untouched.
    layout.run_chunk = 3;
    for (const io::EnsembleVariable& variable : synthetic_ensemble(runs[0], 10))
      layout.ensemble.push_back(variable.spec);
  }
  static io::RunRecord record(const RunResults& results, std::int64_t run, std::uint64_t seed) {
    return {&results, {0.01 * static_cast<double>(run)}, seed};
  }
  //! A finished file as the sweep driver leaves it, with its final checkpoint.
  void write_finished(const std::string& path) const {
    io::ResultsFileWriter writer(path, layout, test_provenance());
    for (std::int64_t first : {0, 3}) {
      std::vector<io::RunRecord> batch;
      for (std::int64_t r = first; r < first + 3; ++r)
        batch.push_back(record(runs[static_cast<std::size_t>(r)], r, 100 + static_cast<std::uint64_t>(r)));
      writer.append_runs(first, batch);
      writer.write_checkpoint(first + 3, {static_cast<double>(first), 1.0});
    }
    writer.write_ensemble(io::default_ensemble_statistics(), synthetic_ensemble(runs[0], 10));
    writer.finish(true);
  }
  //! The retried runs' changes, as --retry-failed makes them.
  void apply_retry(io::ResultsFileWriter& writer) const {
    writer.append_runs(1, {record(retried[0], 1, 901)});
    writer.append_runs(4, {record(retried[1], 4, 904)});
    writer.write_ensemble(io::default_ensemble_statistics(), retried_ensemble());
    writer.write_checkpoint(6, {9.0, 8.0, 7.0, 6.0});
  }
  std::vector<io::EnsembleVariable> retried_ensemble() const {
    std::vector<io::EnsembleVariable> variables = synthetic_ensemble(runs[0], 10);
    for (io::EnsembleVariable& variable : variables)
      for (double& value : variable.values) value += 0.5;
    return variables;
  }
};

//! Row `row` of a numeric variable of a file with a leading run axis, as raw
//! bytes so that NaN payloads and signed zeros count.
std::vector<unsigned char> row_bytes(const io::NumericArray& array, std::size_t row) {
  const std::size_t per_row = array.values.size() / array.shape.at(0);
  const auto* begin = reinterpret_cast<const unsigned char*>(array.values.data() + row * per_row);
  return std::vector<unsigned char>(begin, begin + per_row * sizeof(double));
}

} // namespace

TEST_CASE("finish(true) keeps the last checkpoint in the finished file", "[io][checkpoint][retry]") {
  ScratchDir dir("keep_checkpoint");
  const std::string path = dir.file("sweep.h5");
  RetrySweep().write_finished(path);
  CHECK_FALSE(fs::exists(path + ".partial"));
  io::ResultsFileReader reader(path);
  const std::optional<io::Checkpoint> checkpoint = reader.read_checkpoint();
  REQUIRE(checkpoint.has_value());
  CHECK(checkpoint->next_run == 6);
  CHECK(checkpoint->state == std::vector<double>{3.0, 1.0});
  CHECK(reader.read_numeric("checkpoint", "checkpoint_element").values == std::vector<double>{0, 1});
  CHECK(reader.info().run_count == 6);
}

TEST_CASE("update() rewrites the retried runs, /ensemble and /checkpoint and keeps every other run",
          "[io][retry]") {
  ScratchDir dir("update");
  const std::string path = dir.file("sweep.h5");
  const RetrySweep sweep;
  sweep.write_finished(path);
  const std::vector<char> original = bytes_of(path);
  const std::string original_copy = dir.file("original.h5");
  fs::copy_file(path, original_copy);
  {
    io::ResultsFileWriter writer = io::ResultsFileWriter::update(path);
    CHECK(writer.partial_path() == path + ".partial");
    CHECK(writer.run_count() == 6);
    CHECK(writer.run_chunk() == 3);
    sweep.apply_retry(writer);
    CHECK(bytes_of(path) == original); // nothing reaches NAME before finish()
    writer.finish(true);
  }
  CHECK_FALSE(fs::exists(path + ".partial"));

  const io::ResultsFileReader before(original_copy);
  const io::ResultsFileReader after(path);
  CHECK(after.info().provenance.created_utc == before.info().provenance.created_utc);
  CHECK(after.run_status() == std::vector<RunStatus>(6, RunStatus::ok));
  std::vector<std::pair<std::string, std::string>> variables;
  for (const std::string& name : after.info().trajectory_variables)
    variables.emplace_back("trajectories", name);
  for (const std::string& name : after.info().summary_variables) variables.emplace_back("summary", name);
  for (const std::string& name : after.info().parameters) variables.emplace_back("parameters", name);
  for (const char* name :
       {"status", "stop_time", "wall_seconds", "rhs_evaluations", "accepted_steps", "rejected_steps", "seed"})
    variables.emplace_back("runs", name);
  for (const auto& [group, name] : variables) {
    INFO("/" << group << "/" << name);
    const io::NumericArray old_values = before.read_numeric(group, name);
    const io::NumericArray new_values = after.read_numeric(group, name);
    REQUIRE(new_values.shape == old_values.shape);
    for (std::size_t row : {0, 2, 3, 5}) CHECK(row_bytes(new_values, row) == row_bytes(old_values, row));
  }
  // The two retried runs hold their new results.
  for (std::size_t k = 0; k < 2; ++k) {
    const std::size_t row = k == 0 ? 1 : 4;
    INFO("run " << row);
    for (const Variable& variable : sweep.retried[k].trajectories) {
      const io::NumericArray values = after.read_numeric("trajectories", variable.name);
      const std::size_t per_row = values.values.size() / 6;
      CHECK(std::vector<double>(values.values.begin() + static_cast<std::ptrdiff_t>(row * per_row),
                                values.values.begin() + static_cast<std::ptrdiff_t>((row + 1) * per_row)) ==
            variable.data);
    }
    CHECK(after.read_numeric("summary", "final_debris").values[row] ==
          sweep.retried[k].find("final_debris")->data[0]);
    CHECK(after.read_numeric("runs", "seed").values[row] == (row == 1 ? 901.0 : 904.0));
    CHECK(after.read_strings("runs", "message")[row].empty());
    CHECK(before.read_strings("runs", "message")[row] == sweep.runs[row].message);
  }
  const std::vector<std::string> old_messages = before.read_strings("runs", "message");
  const std::vector<std::string> new_messages = after.read_strings("runs", "message");
  for (std::size_t row : {0, 2, 3, 5}) CHECK(new_messages[row] == old_messages[row]);

  for (const io::EnsembleVariable& variable : sweep.retried_ensemble())
    CHECK(after.read_numeric("ensemble", variable.spec.name).values == variable.values);
  CHECK(after.info().ensemble_statistics == io::default_ensemble_statistics());
  const std::optional<io::Checkpoint> checkpoint = after.read_checkpoint();
  REQUIRE(checkpoint.has_value());
  CHECK(checkpoint->next_run == 6);
  CHECK(checkpoint->state == std::vector<double>{9.0, 8.0, 7.0, 6.0});
}

TEST_CASE("update() without finish() leaves NAME byte-identical and NAME.partial behind", "[io][retry]") {
  ScratchDir dir("update_unfinished");
  const std::string path = dir.file("sweep.h5");
  const RetrySweep sweep;
  sweep.write_finished(path);
  const std::vector<char> original = bytes_of(path);
  {
    io::ResultsFileWriter writer = io::ResultsFileWriter::update(path);
    sweep.apply_retry(writer);
  } // failed or killed before finish()
  CHECK(bytes_of(path) == original);
  REQUIRE(fs::exists(path + ".partial"));
  // The leftover copy is a readable results file holding the changes so far.
  CHECK(io::ResultsFileReader(path + ".partial").read_checkpoint()->state ==
        std::vector<double>{9.0, 8.0, 7.0, 6.0});

  // It is never overwritten by another update...
  CHECK_THROWS_AS(io::ResultsFileWriter::update(path), IoError);
  CHECK_THROWS_WITH(io::ResultsFileWriter::update(path), Contains("already exists"));
  CHECK(bytes_of(path) == original);
  // ...and once removed (the driver does that on error), updating works again.
  fs::remove(path + ".partial");
  io::ResultsFileWriter writer = io::ResultsFileWriter::update(path);
  writer.finish(true); // no change: same contents, checkpoint kept
  CHECK(io::ResultsFileReader(path).read_checkpoint()->state == std::vector<double>{3.0, 1.0});
}

TEST_CASE("update() refuses a missing file, a foreign file and another major version", "[io][retry]") {
  ScratchDir dir("update_refuse");
  const std::string partial_suffix = ".partial";

  SECTION("missing") {
    const std::string path = dir.file("absent.h5");
    CHECK_THROWS_WITH(io::ResultsFileWriter::update(path),
                      Contains("absent.h5") && Contains("does not exist"));
    CHECK_FALSE(fs::exists(path + partial_suffix));
  }
  SECTION("not HDF5") {
    const std::string path = dir.file("notes.h5");
    std::ofstream(path) << "not hdf5\n";
    CHECK_THROWS_AS(io::ResultsFileWriter::update(path), IoError);
    CHECK_FALSE(fs::exists(path + partial_suffix));
  }
  SECTION("foreign HDF5 file") {
    const std::string path = dir.file("foreign.h5");
    io::write_single_run(path, test::synthetic_run(0), test_provenance(), 1);
    const std::string filetype = "openmc-statepoint";
    tamper_root(path, nullptr, &filetype);
    CHECK_THROWS_WITH(io::ResultsFileWriter::update(path), Contains("not an ARCM results file"));
    CHECK_FALSE(fs::exists(path + partial_suffix));
  }
  SECTION("another major version") {
    const std::string path = dir.file("newer.h5");
    io::write_single_run(path, test::synthetic_run(0), test_provenance(), 1);
    const std::vector<std::int32_t> version = {io::RESULTS_FORMAT_MAJOR + 1, 0};
    tamper_root(path, &version, nullptr);
    CHECK_THROWS_WITH(io::ResultsFileWriter::update(path), Contains("newer"));
    CHECK_FALSE(fs::exists(path + partial_suffix));
  }
  SECTION("an existing NAME.partial is never truncated") {
    const std::string path = dir.file("sweep.h5");
    RetrySweep().write_finished(path);
    const std::string foreign = "someone else's partial\n";
    std::ofstream(path + partial_suffix) << foreign;
    CHECK_THROWS_WITH(io::ResultsFileWriter::update(path), Contains("already exists"));
    CHECK(bytes_of(path + partial_suffix) == std::vector<char>(foreign.begin(), foreign.end()));
  }
}
