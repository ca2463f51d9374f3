// Crash safety of the results file: chunk alignment along `run`, resuming by
// copying the checkpointed prefix into a fresh file, damaged partial files,
// and a real SIGKILL loop against a helper process (kill_writer).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/errors.hpp"
#include "crash_sweep.hpp"
#include "io/h5_file.hpp"
#include "io/results_file.hpp"

namespace fs = std::filesystem;
using namespace arcm;
using Catch::Matchers::Contains;

namespace {

struct Scratch {
  fs::path path;
  explicit Scratch(const std::string& name)
      : path(fs::temp_directory_path() / ("arcm_test_crash_" + std::to_string(::getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Scratch() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

//! One dataset's content: raw bytes of its native type (so NaN payloads
//! count), or its strings.
struct Content {
  std::vector<hsize_t> shape;
  std::vector<unsigned char> bytes;
  std::vector<std::string> strings;
  bool run_axis{false};
};

Content read_content(hid_t group, const std::string& name) {
  const h5::Handle dataset = h5::open_dataset(group, name);
  Content content;
  content.shape = h5::shape_of(dataset.id());
  content.run_axis = name != "run" && !content.shape.empty() && !h5::is_scale(dataset.id()) &&
                     h5::scale_name_on_axis(dataset.id(), 0) == "run";
  if (h5::holds_strings(dataset.id())) {
    content.strings = h5::read_strings(dataset.id());
    return content;
  }
  const h5::Handle type = h5::native_type_of(dataset.id());
  std::size_t count = 1;
  for (hsize_t extent : content.shape) count *= static_cast<std::size_t>(extent);
  content.bytes.resize(count * H5Tget_size(type.id()));
  if (count > 0)
    REQUIRE(H5Dread(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, content.bytes.data()) >= 0);
  return content;
}

//! Rows [from, to) of a run-axis dataset.
Content rows(const Content& all, std::size_t from, std::size_t to) {
  Content part = all;
  if (!all.strings.empty() || all.bytes.empty()) {
    if (!all.strings.empty())
      part.strings.assign(all.strings.begin() + static_cast<std::ptrdiff_t>(from),
                          all.strings.begin() + static_cast<std::ptrdiff_t>(to));
    return part;
  }
  const std::size_t row = all.bytes.size() / static_cast<std::size_t>(all.shape[0]);
  part.bytes.assign(all.bytes.begin() + static_cast<std::ptrdiff_t>(from * row),
                    all.bytes.begin() + static_cast<std::ptrdiff_t>(to * row));
  return part;
}

//! `count` rows of a run-axis dataset as a writer leaves rows it never wrote:
//! every element its fill value (strings: empty).
Content unwritten_rows(hid_t group, const std::string& name, const Content& like, std::size_t count) {
  Content part = like;
  part.shape.at(0) = count;
  if (!like.strings.empty() || like.bytes.empty()) {
    part.strings.assign(like.strings.empty() ? 0 : count, std::string());
    part.bytes.clear();
    return part;
  }
  const h5::Handle dataset = h5::open_dataset(group, name);
  const h5::Handle type = h5::native_type_of(dataset.id());
  const std::size_t element = H5Tget_size(type.id());
  std::vector<unsigned char> fill(element, 0);
  const hid_t plist = H5Dget_create_plist(dataset.id());
  REQUIRE(plist >= 0);
  REQUIRE(H5Pget_fill_value(plist, type.id(), fill.data()) >= 0);
  H5Pclose(plist);
  const std::size_t per_row = like.bytes.size() / element / static_cast<std::size_t>(like.shape[0]);
  part.bytes.clear();
  for (std::size_t i = 0; i < count * per_row; ++i)
    part.bytes.insert(part.bytes.end(), fill.begin(), fill.end());
  return part;
}

//! `actual` must hold, in every dataset of the data groups, the rows
//! [0, prefix) of `reference` and from `prefix` to the end of its own run
//! axis (which grows with the runs written, so it may be shorter than the
//! reference's) rows never written. /ensemble must equal `empty`'s
//! placeholder (a file with the same layout and no runs) unless
//! `ensemble_from_reference`. Compares bit for bit.
void check_contents(const std::string& actual, const std::string& reference, const std::string& empty,
                    std::size_t prefix, bool ensemble_from_reference) {
  const h5::Handle a = h5::open_file(actual, false);
  const h5::Handle r = h5::open_file(reference, false);
  const h5::Handle e = h5::open_file(empty, false);
  for (const std::string group_name : {"trajectories", "summary", "parameters", "runs", "ensemble"}) {
    INFO("group /" << group_name);
    const h5::Handle ga = h5::open_group(a.id(), group_name);
    const h5::Handle gr = h5::open_group(r.id(), group_name);
    const h5::Handle ge = h5::open_group(e.id(), group_name);
    const std::vector<std::string> names = h5::child_names(ga.id());
    REQUIRE(names == h5::child_names(gr.id()));
    for (const std::string& name : names) {
      INFO("dataset " << name);
      const Content ca = read_content(ga.id(), name);
      const Content cr = read_content(gr.id(), name);
      if (group_name == std::string("ensemble")) {
        const Content expected = ensemble_from_reference ? cr : read_content(ge.id(), name);
        CHECK(ca.bytes == expected.bytes);
        CHECK(ca.strings == expected.strings);
      } else if (ca.run_axis || name == "run") {
        // The run axis: the reference's rows up to `prefix`; after them, rows
        // never written (the run coordinate: the reference's run numbers).
        const std::size_t n = static_cast<std::size_t>(ca.shape[0]);
        REQUIRE(n >= prefix);
        REQUIRE(n <= static_cast<std::size_t>(cr.shape[0]));
        REQUIRE(std::vector<hsize_t>(ca.shape.begin() + 1, ca.shape.end()) ==
                std::vector<hsize_t>(cr.shape.begin() + 1, cr.shape.end()));
        const std::size_t kept = name == "run" ? n : prefix;
        CHECK(rows(ca, 0, kept).bytes == rows(cr, 0, kept).bytes);
        CHECK(rows(ca, 0, kept).strings == rows(cr, 0, kept).strings);
        if (name == "run" || n == prefix) continue;
        const Content never = unwritten_rows(ga.id(), name, ca, n - prefix);
        CHECK(rows(ca, prefix, n).bytes == never.bytes);
        CHECK(rows(ca, prefix, n).strings == never.strings);
      } else {
        REQUIRE(ca.shape == cr.shape);
        CHECK(ca.bytes == cr.bytes);
        CHECK(ca.strings == cr.strings);
      }
    }
  }
}

//! A file with the sweep's layout and no run written.
void write_empty(const test::CrashSweep& sweep, const std::string& final_path) {
  io::ResultsFileWriter writer(final_path, sweep.layout(), test::CrashSweep::provenance());
} // left as NAME.partial

//! Overwrites every byte of the chunks of every run-axis dataset that hold
//! run row `row` (file offsets from HDF5's own chunk index).
void garble_chunks_at_row(const std::string& path, hsize_t row) {
  std::vector<std::pair<haddr_t, hsize_t>> extents;
  {
    const h5::Handle file = h5::open_file(path, false);
    for (const char* group_name : {"trajectories", "summary", "parameters", "runs"}) {
      const h5::Handle group = h5::open_group(file.id(), group_name);
      for (const std::string& name : h5::child_names(group.id())) {
        const h5::Handle dataset = h5::open_dataset(group.id(), name);
        const std::vector<hsize_t> chunk = h5::chunk_dims(dataset.id());
        if (chunk.empty() || h5::shape_of(dataset.id())[0] <= row) continue;
        std::vector<hsize_t> offset(chunk.size(), 0);
        offset[0] = row / chunk[0] * chunk[0];
        unsigned mask = 0;
        haddr_t address = HADDR_UNDEF;
        hsize_t size = 0;
        REQUIRE(H5Dget_chunk_info_by_coord(dataset.id(), offset.data(), &mask, &address, &size) >= 0);
        if (address != HADDR_UNDEF) extents.emplace_back(address, size);
      }
    }
  }
  REQUIRE(extents.size() > 10);
  std::fstream stream(path, std::ios::in | std::ios::out | std::ios::binary);
  for (const auto& [address, size] : extents) {
    stream.seekp(static_cast<std::streamoff>(address));
    const std::string garbage(static_cast<std::size_t>(size), '\xa5');
    stream.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
}

std::vector<char> file_bytes(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(stream), {});
}

//! Runs [first, first + n) of the sweep, each batch followed by a checkpoint
//! when `checkpoint_after` says so, then "killed" (no finish()).
void write_partial(const test::CrashSweep& sweep, const std::string& final_path, std::int64_t end) {
  io::ResultsFileWriter writer(final_path, sweep.layout(), test::CrashSweep::provenance());
  sweep.write_runs(writer, sweep.first_run, end);
}

} // namespace

TEST_CASE("run_chunk gives every run-axis dataset the same run extent; large runs are cut along time",
          "[io][crash]") {
  Scratch dir("chunks");
  test::CrashSweep sweep;
  write_partial(sweep, dir.file("a.h5"), sweep.first_run + sweep.runs);
  const h5::Handle file = h5::open_file(dir.file("a.h5.partial"), false);
  for (const char* group_name : {"trajectories", "summary", "parameters", "runs"}) {
    const h5::Handle group = h5::open_group(file.id(), group_name);
    for (const std::string& name : h5::child_names(group.id())) {
      const h5::Handle dataset = h5::open_dataset(group.id(), name);
      if (h5::shape_of(dataset.id()).at(0) != static_cast<hsize_t>(sweep.runs)) continue; // coordinates
      INFO(group_name << "/" << name);
      CHECK(h5::chunk_dims(dataset.id()).at(0) == 8);
    }
  }

  // A run of 201 x 10 x 5 float64 is 80 KB; 64 of them would be a 5 MB chunk.
  RunResults big = test::synthetic_run(0);
  big.time.resize(201);
  for (std::size_t t = 0; t < big.time.size(); ++t) big.time[t] = 2030 + static_cast<double>(t);
  big.actor.resize(10, "extra");
  big.resource = {"a", "b", "c", "d", "e"};
  big.actor_kind.resize(10, "firm");
  big.actor_bloc.resize(10, "");
  big.trajectories = {{"capacity", "c", "t/yr", {"time", "actor", "resource"}, {}}};
  big.summary.clear();
  io::ResultsLayout layout = io::ResultsLayout::from_run(big);
  layout.run_chunk = 64;
  io::ResultsFileWriter writer(dir.file("big.h5"), layout, test::CrashSweep::provenance());
  CHECK(writer.run_chunk() == 64);
  const h5::Handle big_file = h5::open_file(dir.file("big.h5.partial"), false);
  const h5::Handle group = h5::open_group(big_file.id(), "trajectories");
  const h5::Handle capacity = h5::open_dataset(group.id(), "capacity");
  const std::vector<hsize_t> chunk = h5::chunk_dims(capacity.id());
  CHECK(chunk == std::vector<hsize_t>{64, 10, 10, 5}); // 64 runs x 10 years x whole actor and resource axes
  CHECK(64 * 10 * 10 * 5 * 8 <= 256 * 1024);
}

TEST_CASE("HDF5 writes a new whole chunk without reading anything back", "[io][crash]") {
  // The alignment rule rests on this: a batch of whole chunks only creates
  // chunks, so garbage in every chunk already on disk (even the neighbours in
  // the same datasets) cannot make a later aligned batch fail. The float32
  // trajectories (converted from double) and the VLEN messages are included.
  Scratch dir("no_read_back");
  test::CrashSweep sweep;
  const std::string path = dir.file("s.h5");
  write_partial(sweep, path, sweep.first_run + 32);
  garble_chunks_at_row(path + ".partial", 0);
  garble_chunks_at_row(path + ".partial", 8);
  garble_chunks_at_row(path + ".partial", 16);
  garble_chunks_at_row(path + ".partial", 24);
  {
    // Appending directly (resume would refuse the garbled prefix), after
    // growing the run axis of the datasets written to the whole sweep's.
    const h5::Handle file = h5::open_file(path + ".partial", true);
    const h5::Handle group = h5::open_group(file.id(), "trajectories");
    const h5::Handle capacity = h5::open_dataset(group.id(), "capacity");
    const h5::Handle runs = h5::open_group(file.id(), "runs");
    const h5::Handle message = h5::open_dataset(runs.id(), "message");
    const h5::Handle summary = h5::open_group(file.id(), "summary");
    const h5::Handle debris = h5::open_dataset(summary.id(), "final_debris");
    for (hid_t dataset : {capacity.id(), message.id(), debris.id()}) {
      std::vector<hsize_t> extent = h5::shape_of(dataset);
      extent[0] = static_cast<hsize_t>(sweep.runs);
      REQUIRE(H5Dset_extent(dataset, extent.data()) >= 0);
    }
    std::vector<hsize_t> count = h5::shape_of(capacity.id());
    const std::size_t run_size = static_cast<std::size_t>(count[1] * count[2] * count[3]);
    // Rows 32..47 (two new chunks) and the edge chunk 296..299.
    for (hsize_t start : {hsize_t{32}, hsize_t{296}}) {
      count[0] = start == 32 ? 16 : 4;
      std::vector<double> values(static_cast<std::size_t>(count[0]) * run_size, 2.5);
      h5::write_hyperslab(capacity.id(), H5T_NATIVE_DOUBLE, {start, 0, 0, 0}, count, values.data());
    }
    h5::write_strings(message.id(), 32, std::vector<std::string>(16, "new"));
    std::vector<double> values(16, 1.0);
    h5::write_hyperslab(debris.id(), H5T_NATIVE_DOUBLE, {32}, {16}, values.data());
    h5::flush(file.id());
    // ...whereas reading the garbled prefix fails, as it must.
    std::vector<float> row(run_size);
    CHECK_THROWS_WITH(h5::read_hyperslab(capacity.id(), H5T_NATIVE_FLOAT, {0, 0, 0, 0},
                                         {1, count[1], count[2], count[3]}, row.data()),
                      Contains("capacity"));
  }
}

TEST_CASE("resume copies exactly the checkpointed runs when the bytes after them are garbled",
          "[io][crash][resume]") {
  Scratch dir("garbled_tail");
  test::CrashSweep sweep;
  const std::string reference = dir.file("reference.h5");
  sweep.run(reference);
  write_empty(sweep, dir.file("empty.h5"));
  const std::string path = dir.file("s.h5");
  // Checkpoints after runs 32, 64, 96.
  write_partial(sweep, path, sweep.first_run + 96);
  {
    // Append one more batch without its checkpoint, then garble it.
    io::ResultsFileWriter writer = io::ResultsFileWriter::resume(path);
    std::vector<RunResults> results;
    std::vector<io::RunRecord> records;
    for (std::int64_t run = 1096; run < 1112; ++run) results.push_back(test::CrashSweep::run_results(run));
    for (std::int64_t run = 1096; run < 1112; ++run)
      records.push_back(
          {&results[static_cast<std::size_t>(run - 1096)], {0.001 * static_cast<double>(run)}, 1});
    writer.append_runs(1096, records);
  }
  garble_chunks_at_row(path + ".partial", 96);
  garble_chunks_at_row(path + ".partial", 104);

  io::ResumeInfo info;
  io::ResultsFileWriter writer = io::ResultsFileWriter::resume(path, &info);
  REQUIRE(info.checkpoint.has_value());
  CHECK(info.next_run == 1096);
  CHECK(info.checkpoint->state == test::CrashSweep::state_for(1096));
  CHECK(info.first_run_index == 1000);
  CHECK(info.run_count == 112); // the run axis as far as the killed writer grew it
  CHECK(info.run_chunk == 8);
  CHECK(writer.run_chunk() == 8);
  CHECK_FALSE(fs::exists(path + ".partial.rebuild"));
  check_contents(path + ".partial", reference, dir.file("empty.h5.partial"), 96, false);

  // Continuing gives the uninterrupted sweep's file.
  sweep.write_runs(writer, info.next_run, sweep.first_run + sweep.runs);
  sweep.write_ensemble(writer);
  writer.finish();
  check_contents(path, reference, dir.file("empty.h5.partial"), 300, true);
}

TEST_CASE("resume without a checkpoint keeps the layout and no runs", "[io][crash][resume]") {
  Scratch dir("no_checkpoint");
  test::CrashSweep sweep;
  const std::string reference = dir.file("reference.h5");
  sweep.run(reference);
  write_empty(sweep, dir.file("empty.h5"));
  const std::string path = dir.file("s.h5");
  {
    io::ResultsFileWriter writer(path, sweep.layout(), test::CrashSweep::provenance());
    std::vector<RunResults> results = {test::synthetic_run(1000), test::synthetic_run(1001)};
    writer.append_runs(1000, {{&results[0], {0.5}, 1}, {&results[1], {0.5}, 1}});
  }
  io::ResumeInfo info;
  io::ResultsFileWriter writer = io::ResultsFileWriter::resume(path, &info);
  CHECK_FALSE(info.checkpoint.has_value());
  CHECK(info.next_run == 1000);
  CHECK(writer.run_count() == 2); // the run axis stays; its runs are not trusted
  check_contents(path + ".partial", reference, dir.file("empty.h5.partial"), 0, false);
}

TEST_CASE("a garbled, truncated or prefix-damaged partial gives DamagedPartialError and stays untouched",
          "[io][crash][resume]") {
  Scratch dir("damaged");
  test::CrashSweep sweep;
  const std::string path = dir.file("s.h5");
  const std::string partial = path + ".partial";
  const std::string kind = GENERATE("garbled", "truncated", "prefix");
  write_partial(sweep, path, sweep.first_run + 64);
  if (kind == "garbled") {
    std::vector<char> bytes = file_bytes(partial);
    std::mt19937 random(7);
    for (char& byte : bytes) byte = static_cast<char>(random());
    std::ofstream(partial, std::ios::binary | std::ios::trunc)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  } else if (kind == "truncated") {
    fs::resize_file(partial, fs::file_size(partial) / 2);
  } else {
    garble_chunks_at_row(partial, 8); // inside the checkpointed runs
  }
  const std::vector<char> before = file_bytes(partial);
  try {
    io::ResultsFileWriter::resume(path);
    FAIL("resume accepted a damaged " << kind << " partial");
  } catch (const io::DamagedPartialError& e) {
    CHECK_THAT(e.what(), Contains(partial) && Contains("start the run range over from its first run"));
  }
  CHECK(file_bytes(partial) == before);
  CHECK_FALSE(fs::exists(partial + ".rebuild"));
  // The driver's fallback: a new writer replaces it.
  io::ResultsFileWriter fresh(path, sweep.layout(), test::CrashSweep::provenance());
  CHECK(fresh.run_count() == 0);
}

TEST_CASE("a sweep SIGKILLed at random moments resumes to the exact checkpointed prefix, 24 times",
          "[io][crash][kill]") {
  Scratch dir("kill");
  test::CrashSweep sweep;
  const std::string reference = dir.file("reference.h5");
  const auto started = std::chrono::steady_clock::now();
  sweep.run(reference);
  const double full_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  write_empty(sweep, dir.file("empty.h5"));
  const std::string empty = dir.file("empty.h5.partial");
  const std::string path = dir.file("killed.h5");

  // ARCM_KILL_SEED varies the kill moments when hunting for rare failures by hand.
  const char* seed = std::getenv("ARCM_KILL_SEED");
  std::mt19937 random(seed != nullptr ? static_cast<unsigned>(std::stoul(seed)) : 20301u);
  // Kill anywhere within a full sweep's time (plus the helper's start-up):
  // a resumed helper then often gets a few checkpoints further, and now and
  // then finishes, which is checked too.
  std::uniform_int_distribution<int> delay_us(0, static_cast<int>(full_seconds * 1e6) + 20000);
  int kills = 0, finished = 0, resumed_with_checkpoint = 0, damaged_before_checkpoint = 0;
  bool had_checkpoint = false; // whether the partial the next helper continues holds a checkpoint
  // Until 24 kills (a helper that finishes before its kill does not count).
  for (int round = 0; kills < 24 && round < 60; ++round) {
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      const int null = ::open("/dev/null", O_WRONLY);
      if (null >= 0) dup2(null, STDERR_FILENO);
      execl(ARCM_KILL_WRITER, ARCM_KILL_WRITER, path.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    if (WIFEXITED(status)) {
      INFO("round " << round);
      REQUIRE(WEXITSTATUS(status) == 0); // the helper finished before the kill
      ++finished;
      check_contents(path, reference, empty, static_cast<std::size_t>(sweep.runs), true);
      fs::remove(path);
      had_checkpoint = false;
      continue;
    }
    REQUIRE(WIFSIGNALED(status));
    ++kills;
    if (!fs::exists(path + ".partial")) continue; // killed before it created the file
    INFO("round " << round);
    io::ResumeInfo info;
    try {
      io::ResultsFileWriter writer = io::ResultsFileWriter::resume(path, &info);
    } catch (const io::DamagedPartialError& e) {
      // Acceptable only while nothing was checkpointed yet (a kill while the
      // file is created or in the first batches): then restarting loses nothing.
      if (had_checkpoint) FAIL("a SIGKILL damaged checkpointed runs: " << e.what());
      ++damaged_before_checkpoint;
      fs::remove(path + ".partial"); // the driver's fallback: start over
      continue;
    }
    had_checkpoint = info.checkpoint.has_value();
    if (info.checkpoint) {
      ++resumed_with_checkpoint;
      CHECK(info.checkpoint->state == test::CrashSweep::state_for(info.next_run));
    }
    check_contents(path + ".partial", reference, empty,
                   static_cast<std::size_t>(info.next_run - sweep.first_run), false);
    // The next round's helper continues from this rebuilt file.
  }
  // Finally let it run to the end: the result equals the uninterrupted sweep.
  if (fs::exists(path + ".partial")) {
    sweep.run(path);
    check_contents(path, reference, empty, static_cast<std::size_t>(sweep.runs), true);
  }
  WARN("kills " << kills << ", resumed from a checkpoint " << resumed_with_checkpoint
                << ", damaged before any checkpoint " << damaged_before_checkpoint << ", finished "
                << finished << ", full sweep " << full_seconds << " s");
  CHECK(kills >= 24);
  CHECK(resumed_with_checkpoint >= 5);
}
