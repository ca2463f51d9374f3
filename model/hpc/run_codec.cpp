#include "hpc/run_codec.hpp"

#include <cstring>
#include <string>

#include "core/errors.hpp"

namespace arcm::hpc {

namespace {

// Fixed-size values are copied in the sender's byte order: every rank of an
// MPI job runs the same binary on the same kind of machine.
template <class T> void put(std::vector<char>& buffer, const T& value) {
  const char* bytes = reinterpret_cast<const char*>(&value);
  buffer.insert(buffer.end(), bytes, bytes + sizeof(T));
}

void put_text(std::vector<char>& buffer, const std::string& text) {
  put<std::uint64_t>(buffer, text.size());
  buffer.insert(buffer.end(), text.begin(), text.end());
}

void put_texts(std::vector<char>& buffer, const std::vector<std::string>& texts) {
  put<std::uint64_t>(buffer, texts.size());
  for (const std::string& text : texts) put_text(buffer, text);
}

void put_values(std::vector<char>& buffer, const std::vector<double>& values) {
  put<std::uint64_t>(buffer, values.size());
  const char* bytes = reinterpret_cast<const char*>(values.data());
  buffer.insert(buffer.end(), bytes, bytes + values.size() * sizeof(double));
}

void put_variables(std::vector<char>& buffer, const std::vector<Variable>& variables) {
  put<std::uint64_t>(buffer, variables.size());
  for (const Variable& var : variables) {
    put_text(buffer, var.name);
    put_text(buffer, var.long_name);
    put_text(buffer, var.units);
    put_texts(buffer, var.dims);
    put_values(buffer, var.data);
  }
}

struct Reader {
  const std::vector<char>& buffer;
  std::size_t& offset;

  void need(std::size_t bytes) const {
    if (bytes > buffer.size() || offset > buffer.size() - bytes)
      throw Error("a run's results arrived truncated (" + std::to_string(buffer.size()) + " bytes)");
  }
  template <class T> T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, buffer.data() + offset, sizeof(T));
    offset += sizeof(T);
    return value;
  }
  std::string text() {
    const auto size = static_cast<std::size_t>(get<std::uint64_t>());
    need(size);
    std::string value(buffer.data() + offset, size);
    offset += size;
    return value;
  }
  std::vector<std::string> texts() {
    std::vector<std::string> values(static_cast<std::size_t>(get<std::uint64_t>()));
    for (std::string& value : values) value = text();
    return values;
  }
  std::vector<double> values() {
    const auto size = static_cast<std::size_t>(get<std::uint64_t>());
    if (size > buffer.size() / sizeof(double)) need(buffer.size() + 1);
    need(size * sizeof(double));
    std::vector<double> data(size);
    if (size > 0) std::memcpy(data.data(), buffer.data() + offset, size * sizeof(double));
    offset += size * sizeof(double);
    return data;
  }
  std::vector<Variable> variables() {
    std::vector<Variable> out(static_cast<std::size_t>(get<std::uint64_t>()));
    for (Variable& var : out) {
      var.name = text();
      var.long_name = text();
      var.units = text();
      var.dims = texts();
      var.data = values();
    }
    return out;
  }
};

} // namespace

void encode_run(std::uint64_t run, const RunResults& results, std::vector<char>& buffer) {
  put(buffer, run);
  put_values(buffer, results.time);
  for (const auto* labels : {&results.actor, &results.resource, &results.beneficiary, &results.bloc,
                             &results.kind, &results.actor_kind, &results.actor_bloc})
    put_texts(buffer, *labels);
  put_variables(buffer, results.trajectories);
  put_variables(buffer, results.summary);
  put<std::int8_t>(buffer, static_cast<std::int8_t>(results.status));
  put_text(buffer, results.message);
  put(buffer, results.stop_time);
  put(buffer, results.wall_seconds);
  put<std::int64_t>(buffer, results.rhs_evaluations);
  put<std::int64_t>(buffer, results.accepted_steps);
  put<std::int64_t>(buffer, results.rejected_steps);
  put<std::int64_t>(buffer, results.foresight_iterations);
  put(buffer, results.foresight_residual);
}

RunResults decode_run(const std::vector<char>& buffer, std::size_t& offset, std::uint64_t& run) {
  Reader in{buffer, offset};
  RunResults results;
  run = in.get<std::uint64_t>();
  results.time = in.values();
  for (auto* labels : {&results.actor, &results.resource, &results.beneficiary, &results.bloc, &results.kind,
                       &results.actor_kind, &results.actor_bloc})
    *labels = in.texts();
  results.trajectories = in.variables();
  results.summary = in.variables();
  results.status = static_cast<RunStatus>(in.get<std::int8_t>());
  results.message = in.text();
  results.stop_time = in.get<double>();
  results.wall_seconds = in.get<double>();
  results.rhs_evaluations = static_cast<long>(in.get<std::int64_t>());
  results.accepted_steps = static_cast<long>(in.get<std::int64_t>());
  results.rejected_steps = static_cast<long>(in.get<std::int64_t>());
  results.foresight_iterations = static_cast<long>(in.get<std::int64_t>());
  results.foresight_residual = in.get<double>();
  return results;
}

} // namespace arcm::hpc
