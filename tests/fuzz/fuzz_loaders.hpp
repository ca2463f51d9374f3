// The property the loader fuzz targets check, shared by the libFuzzer entry
// points and the regression replay that runs in the normal test suite: a
// scenario or sweep file given as text either loads, and its fully resolved
// form loads again, or it is refused with an arcm::Error. Any other exception,
// a crash, a hang or a leak is a bug.
#pragma once

#include <string>

namespace arcm::fuzz {

//! Which loader an input is meant for.
enum class Loader { scenario, sweep };

//! Feed `text` to the loader, as a file named `pseudo_path` (relative
//! `extends:` and `scenario:` paths resolve against its directory). Returns
//! true when it loaded (and its resolved YAML loaded again), false when it was
//! refused with an arcm::Error. Lets every other exception escape.
bool load_text(Loader loader, const std::string& text, const std::string& pseudo_path);

} // namespace arcm::fuzz
