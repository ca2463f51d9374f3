#include "scenario/node_values.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace arcm {

namespace {
using Kind = ConfigNode::Kind;

bool plain(const ConfigNode& value) {
  return value.kind == Kind::scalar && !value.quoted && !value.text.empty();
}
} // namespace

// A decimal number as YAML's core schema writes one: [-+]? (digits [. digits?]
// | . digits) ([eE] [-+]? digits)?. strtod alone would also read hexadecimal
// ("0x3E8"), "inf" and "nan".
bool decimal(const std::string& text) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > from;
  };
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  const bool whole = digits();
  bool fraction = false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    fraction = digits();
  }
  if (!whole && !fraction) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

std::optional<double> node_number(const ConfigNode& value) {
  if (!plain(value) || !decimal(value.text)) return std::nullopt;
  const char* begin = value.text.c_str();
  char* end = nullptr;
  const double parsed = std::strtod(begin, &end);
  if (end != begin && *end == '\0' && std::isfinite(parsed)) return parsed;
  return std::nullopt;
}

std::optional<long> node_whole_number(const ConfigNode& value) {
  if (!plain(value) || !decimal(value.text)) return std::nullopt;
  const char* begin = value.text.c_str();
  char* end = nullptr;
  const long long parsed = std::strtoll(begin, &end, 10);
  constexpr long long EXACT = 1LL << 53;
  if (end != begin && *end == '\0' && parsed <= EXACT && parsed >= -EXACT) return static_cast<long>(parsed);
  return std::nullopt;
}

std::optional<bool> node_boolean(const ConfigNode& value) {
  if (value.kind == Kind::scalar && !value.quoted) {
    if (value.text == "true") return true;
    if (value.text == "false") return false;
  }
  return std::nullopt;
}

std::optional<std::size_t> node_choice(const ConfigNode& value, const std::vector<const char*>& words) {
  if (value.kind != Kind::scalar) return std::nullopt;
  for (std::size_t i = 0; i < words.size(); ++i)
    if (value.text == words[i]) return i;
  return std::nullopt;
}

std::string describe_node(const ConfigNode& value) {
  switch (value.kind) {
  case Kind::null: return "no value (null)";
  case Kind::sequence: return "a list";
  case Kind::map: return "a map";
  case Kind::scalar: break;
  }
  return value.quoted ? "the quoted string \"" + value.text + "\"" : "'" + value.text + "'";
}

std::string list_words(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
  return text.empty() ? "(none)" : text;
}

std::string list_words(const std::vector<const char*>& words) {
  return list_words(std::vector<std::string>(words.begin(), words.end()));
}

std::string number_text(double value) {
  char buffer[40];
  if (value == std::trunc(value) && std::abs(value) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
    return value == 0 ? "0" : buffer;
  }
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

} // namespace arcm
