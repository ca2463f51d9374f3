#include "analysis/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

namespace arcm::analysis {

namespace {

bool selected(const OutputFilter& filter, const OutputAxis& outputs, std::size_t k) {
  if (filter.empty()) return true;
  for (const std::string& f : filter)
    if (f == outputs.label[k] || f == outputs.variable[k]) return true;
  return false;
}

std::string number(double v, int precision = 3) {
  if (std::isnan(v)) return "nan";
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", precision, v);
  return text;
}

std::string general(double v) {
  if (std::isnan(v)) return "nan";
  char text[48];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string right(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::size_t name_width(const ParameterAxis& p) {
  std::size_t w = 9;
  for (const std::string& n : p.name) w = std::max(w, n.size());
  return w + 2;
}

// Parameters ordered by `key` descending, NaN last.
std::vector<std::size_t> ranked(const std::vector<double>& key) {
  std::vector<std::size_t> order(key.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double x = std::isnan(key[a]) ? -INFINITY : key[a];
    const double y = std::isnan(key[b]) ? -INFINITY : key[b];
    return x > y;
  });
  return order;
}

std::string interval(double low, double high) {
  return "[" + right(number(low), 6) + ", " + right(number(high), 6) + "]";
}

// ---- JSON -------------------------------------------------------------------

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char code[8];
      std::snprintf(code, sizeof code, "\\u%04x", c);
      out += code;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

template <class T> std::string json_array(const std::vector<T>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    if constexpr (std::is_same_v<T, std::string>)
      out += quote(values[i]);
    else if constexpr (std::is_floating_point_v<T>)
      out += json_number(values[i]);
    else
      out += std::to_string(values[i]);
  }
  return out + "]";
}

std::string json_source(const SourceSummary& s) {
  return "\"file\": " + quote(s.path) + ", \"design\": " + quote(s.design) +
         ", \"runs\": " + std::to_string(s.runs) + ", \"failed_runs\": " + std::to_string(s.failed_runs);
}

std::string json_bootstrap(const BootstrapOptions& b) {
  return "\"confidence_level\": " + json_number(b.confidence_level) +
         ", \"bootstrap_resamples\": " + std::to_string(b.resamples) +
         ", \"bootstrap_seed\": " + std::to_string(b.seed);
}

std::string json_sobol_cell(const SobolIndices& s) {
  return "\"samples\": " + std::to_string(s.samples) + ", \"output_mean\": " + json_number(s.mean) +
         ", \"output_std\": " + json_number(s.std) + ", \"S1\": " + json_array(s.first) +
         ", \"S1_conf_low\": " + json_array(s.first_low) + ", \"S1_conf_high\": " + json_array(s.first_high) +
         ", \"ST\": " + json_array(s.total) + ", \"ST_conf_low\": " + json_array(s.total_low) +
         ", \"ST_conf_high\": " + json_array(s.total_high);
}

std::string json_output_head(const OutputAxis& outputs, std::size_t k) {
  return "\"output\": " + quote(outputs.label[k]) + ", \"variable\": " + quote(outputs.variable[k]) +
         ", \"units\": " + quote(outputs.units[k]);
}

} // namespace

std::string failed_run_warning(const SourceSummary& source, const std::string& consequence) {
  if (source.failed_runs == 0) return "";
  return "warning: " + std::to_string(source.failed_runs) + " of " + std::to_string(source.runs) +
         " runs failed (or were never written); " + consequence + "\n";
}

std::string format_table(const SobolAnalysis& a, const OutputFilter& filter) {
  std::ostringstream out;
  const std::size_t w = name_width(a.parameters);
  const std::string level = std::to_string(static_cast<int>(a.bootstrap.confidence_level * 100 + 0.5)) + " %";
  out << "Sobol indices of " << a.source.path << "\n"
      << "  " << a.base_samples << " base samples x (" << a.parameters.name.size()
      << " parameters + 2) = " << a.source.runs << " runs; " << level << " bootstrap intervals ("
      << a.bootstrap.resamples << " resamples); S1: Saltelli et al. 2010, ST: Jansen 1999\n";
  if (a.dropped_base_samples > 0)
    out << "  " << a.dropped_base_samples << " base samples dropped because a run failed\n";
  // Outputs that take one value in every run (stop_time without a Kessler stop, say) have no
  // indices; they are named once at the end instead of each getting an empty table.
  std::vector<std::string> constant, undefined;
  for (std::size_t k = 0; k < a.outputs.label.size(); ++k) {
    if (!selected(filter, a.outputs, k)) continue;
    const SobolIndices& s = a.indices[k];
    if (s.samples >= 2 && s.std == 0.0) {
      constant.push_back(a.outputs.label[k] + " = " + general(s.mean));
      continue;
    }
    if (s.samples == 0) { // NaN wherever it is defined at all: firm_overtake_year when firms never lead
      undefined.push_back(a.outputs.label[k]);
      continue;
    }
    out << "\n"
        << a.outputs.label[k] << " [" << a.outputs.units[k] << "]: mean " << general(s.mean) << ", std "
        << general(s.std) << ", " << s.samples << " base samples\n";
    if (std::isnan(s.first.empty() ? NAN : s.first[0])) {
      out << "  indices undefined: fewer than 2 usable base samples\n";
      continue;
    }
    out << "  " << pad("parameter", w) << right("S1", 7) << "  " << pad(level + " interval", 17)
        << right("ST", 7) << "  " << level << " interval\n";
    for (std::size_t j : ranked(s.total))
      out << "  " << pad(a.parameters.name[j], w) << right(number(s.first[j]), 7) << "  "
          << interval(s.first_low[j], s.first_high[j]) << right(number(s.total[j]), 7) << "  "
          << interval(s.total_low[j], s.total_high[j]) << "\n";
  }
  if (!constant.empty()) {
    out << "\nthe same in every run, so without indices:";
    for (std::size_t i = 0; i < constant.size(); ++i) out << (i == 0 ? " " : ", ") << constant[i];
    out << "\n";
  }
  if (!undefined.empty()) {
    out << "\nnot a number in some run of every base sample, so without indices:";
    for (std::size_t i = 0; i < undefined.size(); ++i) out << (i == 0 ? " " : ", ") << undefined[i];
    out << "\n";
  }
  if (!a.time_outputs.label.empty())
    out << "\nper-year indices of " << a.time_outputs.label.size() << " trajectory outputs x "
        << a.time.size() << " years: see /sensitivity/sobol_time or --json\n";
  return out.str();
}

std::string format_table(const MorrisAnalysis& a, const OutputFilter& filter) {
  std::ostringstream out;
  const std::size_t w = name_width(a.parameters);
  const std::string level = std::to_string(static_cast<int>(a.bootstrap.confidence_level * 100 + 0.5)) + " %";
  out << "Morris elementary effects of " << a.source.path << "\n"
      << "  " << a.trajectories << " trajectories x (" << a.parameters.name.size()
      << " parameters + 1) = " << a.source.runs << " runs, " << a.levels
      << " levels, Delta = " << number(a.delta, 4)
      << "; effects are output changes over a parameter's whole range; " << level << " bootstrap intervals ("
      << a.bootstrap.resamples << " resamples)\n";
  for (std::size_t k = 0; k < a.outputs.label.size(); ++k) {
    if (!selected(filter, a.outputs, k)) continue;
    const MorrisMeasures& m = a.measures[k];
    out << "\n" << a.outputs.label[k] << " [" << a.outputs.units[k] << "]\n";
    out << "  " << pad("parameter", w) << right("mu*", 11) << "  " << pad(level + " interval", 25)
        << right("mu", 11) << right("sigma", 11) << right("effects", 9) << "\n";
    for (std::size_t j : ranked(m.mu_star))
      out << "  " << pad(a.parameters.name[j], w) << right(general(m.mu_star[j]), 11) << "  "
          << pad("[" + general(m.mu_star_low[j]) + ", " + general(m.mu_star_high[j]) + "]", 25)
          << right(general(m.mu[j]), 11) << right(general(m.sigma[j]), 11)
          << right(std::to_string(m.effects[j]), 9) << "\n";
  }
  return out.str();
}

std::string format_table(const PrimAnalysis& a) {
  std::ostringstream out;
  const PrimResult& r = a.result;
  const std::size_t w = name_width(a.parameters);
  out << "PRIM on " << a.source.path << ": cases of interest " << a.metric << (a.above ? " > " : " < ")
      << general(a.threshold) << "\n  " << r.cases_of_interest << " of " << r.cases << " runs (base density "
      << number(r.base_density) << "); peel alpha " << a.options.peel_alpha << ", paste alpha "
      << a.options.paste_alpha << ", min mass " << a.options.min_mass << ", min coverage "
      << a.options.min_coverage << "\n\npeeling trajectory\n  step  coverage  density    mass  restricted\n";
  for (std::size_t s = 0; s < r.trajectory.size(); ++s) {
    const PrimBox& b = r.trajectory[s];
    out << right(std::to_string(s), 6) << right(number(b.coverage), 10) << right(number(b.density), 9)
        << right(number(b.mass), 8) << right(std::to_string(b.restricted), 12)
        << (s == r.chosen_step ? "  <- chosen" : "") << "\n";
  }
  out << "\nchosen box (step " << r.chosen_step << ", after pasting): coverage " << number(r.chosen.coverage)
      << ", density " << number(r.chosen.density) << ", mass " << number(r.chosen.mass) << ", "
      << r.chosen.restricted << " restricted parameters\n";
  out << "  restrictions ordered by how much density the box loses without them\n";
  out << "  " << pad("parameter", w) << right("low", 12) << right("high", 12) << right("density without", 17)
      << "   sampled range\n";
  const PrimBox& all = r.trajectory.front();
  std::vector<double> loss(r.density_without.size());
  for (std::size_t j = 0; j < loss.size(); ++j) loss[j] = r.chosen.density - r.density_without[j];
  for (std::size_t j : ranked(loss))
    if (r.chosen.is_restricted[j])
      out << "  " << pad(a.parameters.name[j], w) << right(general(r.chosen.low[j]), 12)
          << right(general(r.chosen.high[j]), 12) << right(number(r.density_without[j]), 17) << "   ["
          << general(all.low[j]) << ", " << general(all.high[j]) << "] " << a.parameters.units[j] << "\n";
  if (r.chosen.restricted < a.parameters.name.size())
    out << "  (" << a.parameters.name.size() - r.chosen.restricted << " parameters unrestricted)\n";
  return out.str();
}

std::string to_json(const SobolAnalysis& a, const OutputFilter& filter) {
  std::ostringstream out;
  out << "{\"method\": \"sobol\", " << json_source(a.source) << ", " << json_bootstrap(a.bootstrap)
      << ", \"base_samples\": " << a.base_samples << ", \"dropped_base_samples\": " << a.dropped_base_samples
      << ",\n \"parameters\": " << json_array(a.parameters.name) << ",\n \"outputs\": [";
  bool first = true;
  for (std::size_t k = 0; k < a.outputs.label.size(); ++k) {
    if (!selected(filter, a.outputs, k)) continue;
    out << (first ? "\n  {" : ",\n  {") << json_output_head(a.outputs, k) << ", "
        << json_sobol_cell(a.indices[k]) << "}";
    first = false;
  }
  out << "\n ]";
  if (!a.time_outputs.label.empty()) {
    out << ",\n \"time\": " << json_array(a.time) << ",\n \"time_outputs\": [";
    first = true;
    for (std::size_t k = 0; k < a.time_outputs.label.size(); ++k) {
      if (!selected(filter, a.time_outputs, k)) continue;
      out << (first ? "\n  {" : ",\n  {") << json_output_head(a.time_outputs, k) << ", \"years\": [";
      for (std::size_t t = 0; t < a.time.size(); ++t)
        out << (t ? ", " : "") << "{" << json_sobol_cell(a.time_indices[k * a.time.size() + t]) << "}";
      out << "]}";
      first = false;
    }
    out << "\n ]";
  }
  out << "\n}\n";
  return out.str();
}

std::string to_json(const MorrisAnalysis& a, const OutputFilter& filter) {
  std::ostringstream out;
  out << "{\"method\": \"morris\", " << json_source(a.source) << ", " << json_bootstrap(a.bootstrap)
      << ", \"trajectories\": " << a.trajectories << ", \"levels\": " << a.levels
      << ", \"delta\": " << json_number(a.delta) << ",\n \"parameters\": " << json_array(a.parameters.name)
      << ",\n \"outputs\": [";
  bool first = true;
  for (std::size_t k = 0; k < a.outputs.label.size(); ++k) {
    if (!selected(filter, a.outputs, k)) continue;
    const MorrisMeasures& m = a.measures[k];
    out << (first ? "\n  {" : ",\n  {") << json_output_head(a.outputs, k) << ", \"mu\": " << json_array(m.mu)
        << ", \"mu_conf_low\": " << json_array(m.mu_low) << ", \"mu_conf_high\": " << json_array(m.mu_high)
        << ", \"mu_star\": " << json_array(m.mu_star)
        << ", \"mu_star_conf_low\": " << json_array(m.mu_star_low)
        << ", \"mu_star_conf_high\": " << json_array(m.mu_star_high) << ", \"sigma\": " << json_array(m.sigma)
        << ", \"sigma_conf_low\": " << json_array(m.sigma_low)
        << ", \"sigma_conf_high\": " << json_array(m.sigma_high) << ", \"effects\": " << json_array(m.effects)
        << "}";
    first = false;
  }
  out << "\n ]\n}\n";
  return out.str();
}

std::string to_json(const PrimAnalysis& a) {
  const PrimResult& r = a.result;
  std::ostringstream out;
  out << "{\"method\": \"prim\", " << json_source(a.source) << ", \"metric\": " << quote(a.metric)
      << ", \"direction\": " << quote(a.above ? "above" : "below")
      << ", \"threshold\": " << json_number(a.threshold) << ", \"cases\": " << r.cases
      << ", \"cases_of_interest\": " << r.cases_of_interest
      << ", \"base_density\": " << json_number(r.base_density)
      << ",\n \"parameters\": " << json_array(a.parameters.name) << ",\n \"trajectory\": [";
  for (std::size_t s = 0; s < r.trajectory.size(); ++s) {
    const PrimBox& b = r.trajectory[s];
    out << (s ? ",\n  {" : "\n  {") << "\"step\": " << s << ", \"coverage\": " << json_number(b.coverage)
        << ", \"density\": " << json_number(b.density) << ", \"mass\": " << json_number(b.mass)
        << ", \"restricted_dimensions\": " << b.restricted << ", \"low\": " << json_array(b.low)
        << ", \"high\": " << json_array(b.high) << "}";
  }
  std::vector<int> restricted(r.chosen.is_restricted.begin(), r.chosen.is_restricted.end());
  out << "\n ],\n \"chosen\": {\"step\": " << r.chosen_step
      << ", \"coverage\": " << json_number(r.chosen.coverage)
      << ", \"density\": " << json_number(r.chosen.density) << ", \"mass\": " << json_number(r.chosen.mass)
      << ", \"low\": " << json_array(r.chosen.low) << ", \"high\": " << json_array(r.chosen.high)
      << ", \"restricted\": " << json_array(restricted)
      << ", \"density_without\": " << json_array(r.density_without)
      << ", \"coverage_without\": " << json_array(r.coverage_without) << "}\n}\n";
  return out.str();
}

} // namespace arcm::analysis
