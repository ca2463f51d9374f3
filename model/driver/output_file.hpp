// The one rule of every command that writes a results file (run, run --from,
// sweep, merge; README, "Existing files"): a file that already exists at the
// output path is replaced only when the user asks for it (--force); without
// it nothing is written and the existing file is left as it was, whatever it
// holds. Results are still written to NAME.partial and renamed into place.
#pragma once

#include <string>

namespace arcm::driver {

//! Throws IoError naming `path` when something exists there and `overwrite`
//! is false (saying what: an HDF5 file, a symbolic link, ...), and when it is
//! a directory, even with `overwrite`.
void refuse_existing_output(const std::string& path, bool overwrite);

} // namespace arcm::driver
