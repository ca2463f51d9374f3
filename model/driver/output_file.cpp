#include "driver/output_file.hpp"

#include <filesystem>
#include <fstream>

#include "core/errors.hpp"

namespace arcm::driver {

namespace {

// Whether `path` starts with the HDF5 signature (every ARCM results file
// does); a cheap look at 8 bytes, without opening it as HDF5.
bool looks_like_hdf5(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char signature[8] = {};
  in.read(signature, sizeof signature);
  return in.gcount() == 8 && std::string(signature, 8) == "\x89HDF\r\n\x1a\n";
}

} // namespace

void refuse_existing_output(const std::string& path, bool overwrite) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::symlink_status(path, error);
  if (!std::filesystem::exists(status)) return;
  // --force replaces a file (or a link); a directory never.
  if (std::filesystem::is_directory(status))
    throw IoError(path +
                  " is a directory; the output must be a file (--force replaces files, not directories)");
  if (overwrite) return;
  std::string what = "a file";
  if (std::filesystem::is_symlink(status))
    what = "a symbolic link";
  else if (!std::filesystem::is_regular_file(status))
    what = "something that is not a regular file";
  else if (looks_like_hdf5(path))
    what = "an HDF5 file";
  throw IoError(path + " already exists (" + what +
                "); ARCM does not replace an existing file: choose another output file (-o), or add --force "
                "to replace it");
}

} // namespace arcm::driver
