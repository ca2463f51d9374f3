// The exception hierarchy of ARCM. Library code throws; only the command-line
// front end turns exceptions into messages and exit codes.
#pragma once

#include <stdexcept>
#include <string>

namespace arcm {

//! Base of every error ARCM raises on purpose.
class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

//! A scenario or sweep file that cannot be accepted. The message names the
//! file, line, column and key; the fields are kept for tests and tools.
class ConfigError : public Error {
public:
  ConfigError(std::string file, int line, int column, std::string key, const std::string& what)
      : Error(format(file, line, column, key, what)), file_(std::move(file)), line_(line), column_(column),
        key_(std::move(key)) {}
  const std::string& file() const { return file_; }
  int line() const { return line_; }     //!< 1-based, 0 when unknown
  int column() const { return column_; } //!< 1-based, 0 when unknown
  const std::string& key() const { return key_; }

private:
  static std::string format(const std::string& file, int line, int column, const std::string& key,
                            const std::string& what) {
    std::string s = file;
    if (line > 0) s += ":" + std::to_string(line) + ":" + std::to_string(column);
    s += ": ";
    if (!key.empty()) s += "key '" + key + "': ";
    return s + what;
  }
  std::string file_;
  int line_;
  int column_;
  std::string key_;
};

//! Reading or writing a results file failed.
class IoError : public Error {
public:
  using Error::Error;
};

} // namespace arcm
