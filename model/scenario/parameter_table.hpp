// The parameter table: one row per scenario key, saying everything the
// project knows about it in one place: its YAML key, the struct member that
// holds it, unit, allowed range, symbol, meaning, whether it is required, and
// whether a sweep may vary it and a schedule event change it. The default is
// the struct member's own initialiser (core/params.hpp), read from a
// default-constructed struct, so it too is written once.
//
// The rows drive the loader (which keys a section accepts, how each value is
// written, which are required), the range checks (validation.cpp keeps only
// the rules that relate several fields), the resolved-YAML emitter, sweep
// parameter paths (their setters, units and long names in /parameters),
// schedule events (resolved into setters when the scenario is loaded) and the
// key tables of config/README.md (`arcm keys`). docs/developing.md walks one
// parameter through all of them.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "core/params.hpp"

namespace arcm::parameters {

//! How a value is written in a scenario file.
enum class Type {
  number,          //!< a finite number
  optional_number, //!< a finite number, or null (NaN: not set)
  whole_number,    //!< a whole number
  boolean,         //!< true or false (stored and swept as 1 / 0)
  choice,          //!< one of a few words (stored and swept as the word's index)
  text,            //!< a string
  per_resource,    //!< a map from resource id to a number (one value per resource)
  structured       //!< anything else (a section, a reference, a list): read and written by hand
};

//! The values a number may take: each bound open or closed; an infinite bound is none.
struct Range {
  double low{-std::numeric_limits<double>::infinity()};
  bool low_open{false};
  double high{std::numeric_limits<double>::infinity()};
  bool high_open{false};

  bool bounded() const;              //!< whether any bound applies
  bool contains(double value) const; //!< NaN is never contained
  std::string requirement() const;   //!< "> 0", ">= 0", "between 0 and 1", "in [0, 1)", "" if unbounded
};

//! The ranges that recur.
namespace ranges {
inline constexpr double INF = std::numeric_limits<double>::infinity();
inline const Range any{};
inline const Range positive{0, true, INF, false};
inline const Range non_negative{0, false, INF, false};
inline const Range unit_interval{0, false, 1, false};            //!< [0, 1]
inline const Range unit_interval_open_top{0, false, 1, true};    //!< [0, 1)
inline const Range unit_interval_open_bottom{0, true, 1, false}; //!< (0, 1]
} // namespace ranges

//! Where a parameter may vary besides the scenario file (bit flags).
enum Use : unsigned {
  fixed = 0,
  sweep = 1,   //!< a sweep may vary it (a parameter path)
  schedule = 2 //!< a schedule event may change it
};

//! Everything about a parameter except how to reach it.
struct Description {
  const char* key{""}; //!< YAML key inside its section
  Type type{Type::number};
  const char* unit{""};    //!< unit as stored in HDF5 ("1": dimensionless; "": not a quantity)
  const char* symbol{""};  //!< symbol in docs/model.md, "" if none
  Range range{};           //!< allowed values of a number (checked by validation.cpp)
  const char* meaning{""}; //!< one line
  unsigned use{fixed};     //!< Use flags
  bool required{false};    //!< must be given (else the struct's default applies)
  //! For docs, when the default is not the struct member's value (a default
  //! derived from another key, "not set", a required key's "required").
  const char* default_text{nullptr};
  //! For docs, a rule that relates this key to others (checked by hand in validation.cpp).
  const char* rule{nullptr};
  std::vector<const char*> choices; //!< choice: the words, in stored-index order
  bool quoted{false};               //!< choice: written quoted by the emitter
  const char* type_text{nullptr};   //!< structured: how it is written, for docs
};

//! Why `value` is not acceptable for the parameter `about`, or "" if it is: its
//! range as "must be > 0, got -1". An optional number may also be null (NaN).
std::string value_problem(const Description& about, double value);

//! The index of the word a choice's value picks. Every choice has two words
//! (a test checks it), and any nonzero value picks the second, as it would
//! set a boolean; a choice of three or more words needs a setter of its own.
std::size_t choice_index(double value);

//! One row: a parameter of struct `Struct` and how to read and write it.
template <class Struct> struct Parameter {
  Description about;
  //! number, optional_number, whole_number, boolean, choice: the value as a
  //! double (a boolean as 0/1, a choice as its index, an unset optional as NaN).
  double (*get)(const Struct&){nullptr};
  void (*set)(Struct&, double){nullptr};
  std::string Struct::*text{nullptr};         //!< text
  std::vector<double> Struct::*list{nullptr}; //!< per_resource

  const char* key() const { return about.key; }
  bool sweepable() const { return (about.use & sweep) != 0; }
  bool schedulable() const { return (about.use & schedule) != 0; }
};

//! The rows of one section of a scenario file, in the order the emitter writes them.
template <class Struct> struct Section {
  const char* path;  //!< dotted path of the section ("economy", "actors.ID", "resources.ID.backstop")
  const char* title; //!< for docs
  std::vector<Parameter<Struct>> rows;

  //! The row for `key`, or nullptr.
  const Parameter<Struct>* find(const std::string& key) const;
  //! Every key, in row order (what the loader accepts).
  std::vector<std::string> keys() const;
  //! The keys with the Use flag `use`, in row order.
  std::vector<std::string> keys_with(Use use) const;
  //! Index of `row` in rows (it must be one of them).
  std::size_t index_of(const Parameter<Struct>& row) const;
};

//! Every section of a scenario file.
struct Table {
  Section<Scenario> top; //!< the top level: name, description and the sections
  Section<Scenario> time;
  Section<IntegratorSettings> integrator;
  Section<OutputSettings> output;
  Section<Economy> economy;
  Section<Debris> debris;
  Section<Tension> tension;
  Section<Regime> legal;
  Section<Jurisdiction> jurisdiction;
  Section<Actor> actor;
  Section<Resource> resource;
  Section<Resource> backstop; //!< resources.ID.backstop when it is a map
  Section<Beneficiary> beneficiary;
  Section<ScheduleEvent> event;
};

//! The table (built once per process).
const Table& table();

//! The default value of a row as docs show it ("0.05", "true", "`parties`",
//! the row's default_text, or "**required**").
template <class Struct> std::string default_text(const Parameter<Struct>& row);

//! A schedule change resolved from its key: a row of `legal` (regime event) or
//! of a jurisdiction (jurisdiction event). Throws arcm::Error for a key that
//! no event of that kind may set.
ParameterChange regime_change(const std::string& key, double value);
ParameterChange jurisdiction_change(const std::string& key, double value);
//! The row of the table a change was resolved from.
const Parameter<Regime>& regime_row(const ParameterChange& change);
const Parameter<Jurisdiction>& jurisdiction_row(const ParameterChange& change);

//! config/README.md with every generated key table (between the lines
//! `<!-- keys: SECTION -->` and `<!-- end keys -->`) written anew from the
//! table. Throws arcm::Error naming an unknown SECTION or an unclosed block.
std::string regenerate_key_tables(const std::string& readme_text);

//! One generated key table in Markdown, for the section named `section`
//! ("top", "time", "economy", "actors", ...).
std::string key_table_markdown(const std::string& section);
//! The names `key_table_markdown` accepts.
std::vector<std::string> key_table_sections();

} // namespace arcm::parameters
